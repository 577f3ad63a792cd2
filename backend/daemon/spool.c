/* spool.c - inbox claims by rename, dead-claim takeover by flock, archive and reject. */
#include "spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define SPOOL_CLAIMED ".claimed"
#define SPOOL_LOCK ".lock"
#define SPOOL_MAX_NAME 255
#define SPOOL_MAX_SUFFIX 1000
#define SPOOL_RENAME_NOREPLACE 1 /* linux/fs.h RENAME_NOREPLACE */
/* Inbox entries read per scan: one scan serves many claims, so a burst of N files costs
 * O(N log N) rather than one directory read per file. A larger inbox is taken in
 * several scans (oldest first within each). */
#define SPOOL_SCAN_MAX 65536

struct spool {
    char *inbox;
    char *archive;
    char *rejected;
    char claimed_root[PATH_MAX]; /* inbox/.claimed */
    char mine[PATH_MAX];         /* inbox/.claimed/TAG */
    int lock_fd;
    int watch_fd;                /* inotify on the inbox, or -1 */
    int settle_s;
    /* Candidates of the last inbox scan, oldest first; claimed one by one. */
    struct spool_cand *cand;
    size_t n_cand, i_cand;
};

struct spool_cand {
    time_t mtime;
    char *name;
};

/* dir + "/" + name into out; -1 when it does not fit. */
static int join(char *out, size_t size, const char *dir, const char *name)
{
    int n = snprintf(out, size, "%s/%s", dir, name);
    return (n < 0 || (size_t)n >= size) ? -1 : 0;
}

static int mkdir_p(const char *path, err_t *e)
{
    char tmp[PATH_MAX];
    size_t n = strlen(path);

    if (n == 0 || n >= sizeof tmp)
        return err_set(e, ERR_IO, "%.200s: bad directory path", path);
    memcpy(tmp, path, n + 1);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0750) != 0 && errno != EEXIST)
            return err_set(e, ERR_IO, "%s: mkdir: %s", tmp, strerror(errno));
        *p = '/';
    }
    if (mkdir(tmp, 0750) != 0 && errno != EEXIST)
        return err_set(e, ERR_IO, "%s: mkdir: %s", tmp, strerror(errno));
    return 0;
}

static void fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

static int skipped_name(const char *n)
{
    size_t len = strlen(n);
    if (n[0] == '.' || len > SPOOL_MAX_NAME)
        return 1;
    if (len >= 4 && strcmp(n + len - 4, ".tmp") == 0)
        return 1;
    if (len >= 5 && strcmp(n + len - 5, ".part") == 0)
        return 1;
    return 0;
}

void spool_free(spool *s)
{
    char lock[PATH_MAX];

    if (!s)
        return;
    if (s->lock_fd >= 0) {
        /* Remove our directory only when empty; the .lock file goes first, while we
         * still hold the lock, so nobody can mistake the directory for a dead one. */
        DIR *d = opendir(s->mine);
        int empty = 1;
        if (d) {
            struct dirent *de;
            while ((de = readdir(d)) != NULL)
                if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && strcmp(de->d_name, SPOOL_LOCK))
                    empty = 0;
            closedir(d);
        }
        if (empty && join(lock, sizeof lock, s->mine, SPOOL_LOCK) == 0) {
            unlink(lock);
            rmdir(s->mine);
        }
        close(s->lock_fd);
    }
    if (s->watch_fd >= 0)
        close(s->watch_fd);
    for (size_t i = 0; i < s->n_cand; i++)
        free(s->cand[i].name);
    free(s->cand);
    free(s->inbox);
    free(s->archive);
    free(s->rejected);
    free(s);
}

int spool_open(spool **out, const char *inbox, const char *archive, const char *rejected,
               const char *tag, int settle_s, err_t *e)
{
    spool *s = NULL;
    char safe[128], lock[PATH_MAX];
    size_t i;
    int rc = 0;

    *out = NULL;
    s = calloc(1, sizeof *s);
    if (!s)
        return err_set(e, ERR_NOMEM, "out of memory");
    s->lock_fd = -1;
    s->watch_fd = -1;
    s->settle_s = settle_s;
    s->inbox = strdup(inbox);
    s->archive = strdup(archive);
    s->rejected = strdup(rejected);
    if (!s->inbox || !s->archive || !s->rejected) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    for (i = 0; tag[i] && i < sizeof safe - 1; i++) {
        char c = tag[i];
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '_' || c == '-';
        safe[i] = ok ? c : '_';
    }
    safe[i] = '\0';
    if (i == 0 || safe[0] == '.')
        safe[0] = '_';
    if (i == 0)
        safe[1] = '\0';
    if (join(s->claimed_root, sizeof s->claimed_root, inbox, SPOOL_CLAIMED) != 0 ||
        join(s->mine, sizeof s->mine, s->claimed_root, safe) != 0 ||
        join(lock, sizeof lock, s->mine, SPOOL_LOCK) != 0) {
        rc = err_set(e, ERR_IO, "%.200s: path too long", inbox);
        goto cleanup;
    }
    if ((rc = mkdir_p(inbox, e)) != 0 || (rc = mkdir_p(s->claimed_root, e)) != 0 ||
        (rc = mkdir_p(archive, e)) != 0 || (rc = mkdir_p(rejected, e)) != 0 ||
        (rc = mkdir_p(s->mine, e)) != 0)
        goto cleanup;
    s->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (s->lock_fd < 0) {
        rc = err_set(e, ERR_IO, "%s: %s", lock, strerror(errno));
        goto cleanup;
    }
    if (flock(s->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        rc = err_set(e, errno == EWOULDBLOCK ? ERR_CONFLICT : ERR_IO, "%s: %s", lock,
                     errno == EWOULDBLOCK ? "held by another live daemon with the same name"
                                          : strerror(errno));
        close(s->lock_fd);
        s->lock_fd = -1;
        goto cleanup;
    }
    /* Best effort: without inotify the poll interval finds new files. */
    s->watch_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (s->watch_fd >= 0 && inotify_add_watch(s->watch_fd, inbox, IN_MOVED_TO | IN_CLOSE_WRITE) < 0) {
        close(s->watch_fd);
        s->watch_fd = -1;
    }
    *out = s;
    s = NULL;

cleanup:
    spool_free(s);
    return rc;
}

int spool_watch_fd(const spool *s) { return s->watch_fd; }

void spool_watch_drain(spool *s)
{
    char b[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

    if (s->watch_fd < 0)
        return;
    while (read(s->watch_fd, b, sizeof b) > 0) {
    }
}

void spool_set_settle(spool *s, int settle_s) { s->settle_s = settle_s; }

/* Moves src to dir/name, or dir/name.N when that name is taken, never overwriting:
 * renameat2(RENAME_NOREPLACE) where the file system has it, else link() (which fails
 * with EEXIST) then unlink(); a copy + fsync across file systems. */
static int move_unique(const char *src, const char *dir, const char *name, char *dst, size_t dsize,
                       err_t *e)
{
    struct stat st;

    if (lstat(src, &st) != 0)
        return err_set(e, errno == ENOENT ? ERR_NOT_FOUND : ERR_IO, "%s: %s", src, strerror(errno));
    for (int k = 0; k < SPOOL_MAX_SUFFIX; k++) {
        char leaf[SPOOL_MAX_NAME + 16];
        if (k == 0)
            snprintf(leaf, sizeof leaf, "%s", name);
        else
            snprintf(leaf, sizeof leaf, "%s.%d", name, k);
        if (join(dst, dsize, dir, leaf) != 0)
            return err_set(e, ERR_IO, "%.200s: path too long", dir);
        if (syscall(SYS_renameat2, AT_FDCWD, src, AT_FDCWD, dst, SPOOL_RENAME_NOREPLACE) == 0) {
            fsync_dir(dir);
            return 0;
        }
        if (errno == EEXIST)
            continue;
        /* link() fails with EEXIST instead of overwriting: that is the atomic test. */
        if (link(src, dst) == 0) {
            if (unlink(src) != 0)
                return err_set(e, ERR_IO, "%s: unlink: %s", src, strerror(errno));
            fsync_dir(dir);
            return 0;
        }
        if (errno == EEXIST)
            continue;
        if (errno == EXDEV || errno == EPERM || errno == ENOTSUP) {
            /* Another file system (or no hard links): copy then remove. */
            int in = -1, outfd = -1, ok = 0;
            char b[65536];
            ssize_t r;
            in = open(src, O_RDONLY | O_CLOEXEC);
            if (in >= 0)
                outfd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
            if (outfd < 0 && errno == EEXIST) {
                close(in);
                continue;
            }
            if (in >= 0 && outfd >= 0) {
                ok = 1;
                while ((r = read(in, b, sizeof b)) > 0)
                    if (write(outfd, b, (size_t)r) != r) {
                        ok = 0;
                        break;
                    }
                if (r < 0 || fsync(outfd) != 0)
                    ok = 0;
            }
            if (in >= 0)
                close(in);
            if (outfd >= 0)
                close(outfd);
            if (!ok) {
                unlink(dst);
                return err_set(e, ERR_IO, "%s -> %s: copy failed", src, dst);
            }
            fsync_dir(dir);
            if (unlink(src) != 0)
                return err_set(e, ERR_IO, "%s: unlink: %s", src, strerror(errno));
            return 0;
        }
        return err_set(e, ERR_IO, "%s -> %s: %s", src, dst, strerror(errno));
    }
    return err_set(e, ERR_IO, "%s/%s: too many files of that name", dir, name);
}

int spool_reclaim(spool *s, size_t *n_out, err_t *e)
{
    DIR *root = NULL;
    struct dirent *de;
    int rc = 0;

    if (n_out)
        *n_out = 0;
    root = opendir(s->claimed_root);
    if (!root)
        return err_set(e, ERR_IO, "%s: %s", s->claimed_root, strerror(errno));
    while ((de = readdir(root)) != NULL) {
        char dir[PATH_MAX], lock[PATH_MAX];
        int fd;
        DIR *d;
        struct dirent *fe;

        if (de->d_name[0] == '.')
            continue;
        if (join(dir, sizeof dir, s->claimed_root, de->d_name) != 0 || strcmp(dir, s->mine) == 0 ||
            join(lock, sizeof lock, dir, SPOOL_LOCK) != 0)
            continue;
        fd = open(lock, O_RDWR | O_CLOEXEC);
        if (fd < 0 && errno != ENOENT)
            continue;
        if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) != 0) {
            close(fd); /* alive */
            continue;
        }
        /* Dead (or never locked): take its files while holding its lock. */
        d = opendir(dir);
        if (d) {
            while ((fe = readdir(d)) != NULL) {
                char src[PATH_MAX], dst[PATH_MAX];
                if (fe->d_name[0] == '.')
                    continue;
                if (join(src, sizeof src, dir, fe->d_name) != 0)
                    continue;
                if (move_unique(src, s->mine, fe->d_name, dst, sizeof dst, e) != 0) {
                    rc = ERR_IO;
                    break;
                }
                if (n_out)
                    (*n_out)++;
            }
            closedir(d);
        }
        if (rc == 0) {
            unlink(lock);
            rmdir(dir);
        }
        if (fd >= 0)
            close(fd);
        if (rc != 0)
            break;
    }
    closedir(root);
    return rc;
}

/* Moves a non-regular entry (symlink, device, fifo) to rejected/ without reading it. */
static void reject_unread(spool *s, const char *path, const char *name, err_t *e)
{
    char dst[PATH_MAX], ep[PATH_MAX];
    FILE *f;

    if (move_unique(path, s->rejected, name, dst, sizeof dst, e) == 0 &&
        snprintf(ep, sizeof ep, "%s.error", dst) < (int)sizeof ep && (f = fopen(ep, "w")) != NULL) {
        fputs("not a regular file (symlink, device or fifo): not taken\n", f);
        fclose(f);
    }
}

/* The oldest (by mtime, then name) regular file of dir that passes the filters.
 * settle_s < 0: no settle check. Non-regular entries are rejected on the way. */
static int oldest_in(spool *s, const char *dir, int settle_s, char *name, size_t nsize, err_t *e)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    time_t now = time(NULL), best_t = 0;
    int found = 0;

    if (!d)
        return err_set(e, ERR_IO, "%s: %s", dir, strerror(errno));
    while ((de = readdir(d)) != NULL) {
        char p[PATH_MAX];
        struct stat st;
        if (skipped_name(de->d_name) || join(p, sizeof p, dir, de->d_name) != 0)
            continue;
        if (lstat(p, &st) != 0)
            continue;
        if (!S_ISREG(st.st_mode)) {
            if (!S_ISDIR(st.st_mode))
                reject_unread(s, p, de->d_name, e);
            continue;
        }
        if (settle_s >= 0 && now - st.st_mtime < settle_s)
            continue;
        if (!found || st.st_mtime < best_t ||
            (st.st_mtime == best_t && strcmp(de->d_name, name) < 0)) {
            if (strlen(de->d_name) >= nsize)
                continue;
            memcpy(name, de->d_name, strlen(de->d_name) + 1);
            best_t = st.st_mtime;
            found = 1;
        }
    }
    closedir(d);
    return found ? 0 : ERR_NOT_FOUND;
}

static int cand_cmp(const void *a, const void *b)
{
    const struct spool_cand *x = a, *y = b;
    if (x->mtime != y->mtime)
        return x->mtime < y->mtime ? -1 : 1;
    return strcmp(x->name, y->name);
}

static void cand_clear(spool *s)
{
    for (size_t i = 0; i < s->n_cand; i++)
        free(s->cand[i].name);
    free(s->cand);
    s->cand = NULL;
    s->n_cand = s->i_cand = 0;
}

/* Reads the inbox once: settled regular files become candidates, sorted oldest first;
 * other entries (symlinks, devices, fifos) are moved to rejected/ unread. */
static int scan_inbox(spool *s, err_t *e)
{
    DIR *d;
    struct dirent *de;
    time_t now = time(NULL);
    size_t cap = 0;

    cand_clear(s);
    d = opendir(s->inbox);
    if (!d)
        return err_set(e, ERR_IO, "%s: %s", s->inbox, strerror(errno));
    while ((de = readdir(d)) != NULL && s->n_cand < SPOOL_SCAN_MAX) {
        char p[PATH_MAX];
        struct stat st;
        if (skipped_name(de->d_name) || join(p, sizeof p, s->inbox, de->d_name) != 0 || lstat(p, &st) != 0)
            continue;
        if (!S_ISREG(st.st_mode)) {
            if (!S_ISDIR(st.st_mode))
                reject_unread(s, p, de->d_name, e);
            continue;
        }
        if (now - st.st_mtime < s->settle_s)
            continue;
        if (s->n_cand == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            struct spool_cand *c = realloc(s->cand, ncap * sizeof *c);
            if (!c) {
                closedir(d);
                return err_set(e, ERR_NOMEM, "out of memory");
            }
            s->cand = c;
            cap = ncap;
        }
        s->cand[s->n_cand].name = strdup(de->d_name);
        if (!s->cand[s->n_cand].name) {
            closedir(d);
            return err_set(e, ERR_NOMEM, "out of memory");
        }
        s->cand[s->n_cand++].mtime = st.st_mtime;
    }
    closedir(d);
    if (s->n_cand > 1)
        qsort(s->cand, s->n_cand, sizeof *s->cand, cand_cmp);
    return 0;
}

int spool_next(spool *s, char **path_out, char **name_out, err_t *e)
{
    char name[SPOOL_MAX_NAME + 1], src[PATH_MAX], dst[PATH_MAX];
    int rc, rescanned = 0;

    *path_out = NULL;
    *name_out = NULL;
    rc = oldest_in(s, s->mine, -1, name, sizeof name, e);
    if (rc == 0) {
        if (join(dst, sizeof dst, s->mine, name) != 0)
            return err_set(e, ERR_IO, "path too long");
        goto found;
    }
    if (rc != ERR_NOT_FOUND)
        return rc;
    for (;;) {
        struct stat st;
        const char *cn;
        if (s->i_cand == s->n_cand) {
            /* One fresh scan per call at most: an empty one means nothing is ready. */
            if (rescanned)
                return err_set(e, ERR_NOT_FOUND, "inbox empty");
            rc = scan_inbox(s, e);
            if (rc != 0)
                return rc;
            rescanned = 1;
            continue;
        }
        cn = s->cand[s->i_cand++].name;
        if (join(src, sizeof src, s->inbox, cn) != 0 || join(dst, sizeof dst, s->mine, cn) != 0)
            continue;
        /* Still there, still a regular file, still settled (it may have been rewritten
         * since the scan, or taken by another daemon). */
        if (lstat(src, &st) != 0 || !S_ISREG(st.st_mode) || time(NULL) - st.st_mtime < s->settle_s)
            continue;
        /* The claim: whoever renames first owns the file; the other gets ENOENT. */
        if (rename(src, dst) == 0) {
            fsync_dir(s->mine);
            memcpy(name, cn, strlen(cn) + 1);
            goto found;
        }
        if (errno != ENOENT)
            return err_set(e, ERR_IO, "%s: claim: %s", src, strerror(errno));
    }

found:
    *path_out = strdup(dst);
    *name_out = strdup(name);
    if (!*path_out || !*name_out) {
        free(*path_out);
        free(*name_out);
        *path_out = *name_out = NULL;
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    return 0;
}

int spool_archive(spool *s, const char *claimed, const char *name, err_t *e)
{
    char dst[PATH_MAX];
    return move_unique(claimed, s->archive, name, dst, sizeof dst, e);
}

int spool_reject(spool *s, const char *claimed, const char *name, const char *why, err_t *e)
{
    char dst[PATH_MAX], ep[PATH_MAX], tmp[PATH_MAX];
    int rc, fd;
    size_t n;

    rc = move_unique(claimed, s->rejected, name, dst, sizeof dst, e);
    if (rc != 0)
        return rc;
    /* The file is safe in rejected/ now; the .error file is written beside it under its
     * final name (after a crash right here, the file is rejected without an .error). */
    if (snprintf(ep, sizeof ep, "%s.error", dst) >= (int)sizeof ep ||
        snprintf(tmp, sizeof tmp, "%s.error.tmp", dst) >= (int)sizeof tmp)
        return err_set(e, ERR_IO, "%s: path too long", dst);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0)
        return err_set(e, ERR_IO, "%s: %s", tmp, strerror(errno));
    n = strlen(why);
    if (write(fd, why, n) != (ssize_t)n || write(fd, "\n", 1) != 1 || fsync(fd) != 0) {
        close(fd);
        unlink(tmp);
        return err_set(e, ERR_IO, "%s: write failed", tmp);
    }
    close(fd);
    if (rename(tmp, ep) != 0)
        return err_set(e, ERR_IO, "%s: %s", ep, strerror(errno));
    fsync_dir(s->rejected);
    return 0;
}

static size_t count_files(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    size_t n = 0;

    if (!d)
        return 0;
    while ((de = readdir(d)) != NULL)
        if (!skipped_name(de->d_name))
            n++;
    closedir(d);
    return n;
}

size_t spool_pending(spool *s)
{
    size_t n = count_files(s->inbox);
    DIR *d = opendir(s->claimed_root);
    struct dirent *de;

    if (!d)
        return n;
    while ((de = readdir(d)) != NULL) {
        char p[PATH_MAX];
        if (de->d_name[0] != '.' && join(p, sizeof p, s->claimed_root, de->d_name) == 0)
            n += count_files(p);
    }
    closedir(d);
    return n;
}
