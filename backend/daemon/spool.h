/* spool.h - the inbox spool: claim files atomically, then archive or reject them.
 *
 * Layout (docs/daemon.md "Spool"):
 *   inbox/NAME                     dropped by a producer (write elsewhere or as .NAME,
 *                                  then rename into place; or let settle_time pass)
 *   inbox/.claimed/TAG/NAME        claimed by the daemon (worker) TAG; TAG/.lock is
 *                                  flock()ed for the daemon's lifetime
 *   archive/NAME                   ingest committed
 *   rejected/NAME + NAME.error     could not be ingested; the .error file says why
 *
 * A claim is a rename(2) inside one file system, so two daemons never take the same
 * file. A file stays in inbox/ or inbox/.claimed/ until its ingest is committed; a
 * claim directory whose lock nobody holds belongs to a dead daemon and its files are
 * taken over by spool_reclaim (kernel flocks vanish with the process, even on kill -9).
 * Names beginning with "." and ending in ".tmp" or ".part" are never taken.
 */
#ifndef PROCAUDIT_SPOOL_H
#define PROCAUDIT_SPOOL_H

#include <stddef.h>

#include "util/err.h"

typedef struct spool spool;

/* Creates the directories when missing (inbox, inbox/.claimed, archive, rejected) and
 * this daemon's claim directory inbox/.claimed/TAG, and locks it. TAG is made of
 * [A-Za-z0-9._-] (other bytes become '_'). settle_s: seconds a file must stay unmodified
 * before it is taken. *out is owned by the caller (spool_free). Returns 0, ERR_IO
 * (cannot create or lock; e names the path), ERR_CONFLICT (TAG's lock is held by a live
 * process), ERR_NOMEM. */
int spool_open(spool **out, const char *inbox, const char *archive, const char *rejected,
               const char *tag, int settle_s, err_t *e) PA_MUSTCHECK;

/* Unlocks and removes the claim directory when empty (files left in it are reclaimed by
 * the next daemon). NULL is accepted. */
void spool_free(spool *s);

/* Changes the settle time (reload). */
void spool_set_settle(spool *s, int settle_s);

/* Takes over the files of claim directories whose lock is free (their daemon died):
 * moves them into ours and removes the dead directory. *n_out = files taken over (may
 * be NULL). Returns 0 or ERR_IO. */
int spool_reclaim(spool *s, size_t *n_out, err_t *e) PA_MUSTCHECK;

/* The next file to ingest: first a file already in our claim directory (reclaimed or
 * left by an interrupted ingest of ours), else the oldest settled regular file of the
 * inbox, claimed by rename. *path_out (claimed path) and *name_out (the original file
 * name) are malloc()ed, owned by the caller. Non-regular entries (symlinks, devices)
 * are moved to rejected/ on the way. Returns 0, ERR_NOT_FOUND (nothing ready), ERR_IO,
 * ERR_NOMEM. */
int spool_next(spool *s, char **path_out, char **name_out, err_t *e) PA_MUSTCHECK;

/* Moves a claimed file to archive/NAME (NAME.1, NAME.2, ... when taken); fsyncs the
 * directories. Returns 0, ERR_NOT_FOUND (the claimed file vanished: someone removed it)
 * or ERR_IO (the file stays claimed). */
int spool_archive(spool *s, const char *claimed, const char *name, err_t *e) PA_MUSTCHECK;

/* Moves the claimed file to rejected/NAME (with the same suffix rule) and writes
 * NAME.error beside it (the message, plus a newline). Returns 0, ERR_NOT_FOUND (the
 * claimed file vanished) or ERR_IO. */
int spool_reject(spool *s, const char *claimed, const char *name, const char *why,
                 err_t *e) PA_MUSTCHECK;

/* A descriptor that becomes readable when a file is renamed into or finished writing in
 * the inbox (inotify), for the daemon's wait; -1 when inotify is not available (then the
 * poll interval alone finds new files). spool_watch_drain empties it. */
int spool_watch_fd(const spool *s);
void spool_watch_drain(spool *s);

/* Counts the files waiting in the inbox and in every claim directory (for STATUS=). */
size_t spool_pending(spool *s);

#endif
