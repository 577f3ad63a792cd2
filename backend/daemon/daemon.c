/* daemon.c - procauditd's worker loop, reload, reconnect with backoff, and supervisor. */
#include "daemon.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "handlers.h"
#include "spool.h"
#include "store/jobs.h"
#include "store/store.h"
#include "util/log.h"

#define DAEMON_MAX_WORKERS 64
/* Files ingested in a row before one job gets its turn, so scoring is not starved. */
#define DAEMON_FILES_PER_JOB 32

/* Set by the signal handlers, read by the loops. */
static volatile sig_atomic_t sig_hup;
static volatile sig_atomic_t sig_stop;
static volatile sig_atomic_t sig_child;
/* The supervisor's children, for the second-signal fast path (read in a handler). */
static volatile pid_t child_pids[DAEMON_MAX_WORKERS];
static volatile sig_atomic_t n_child_pids;

static void on_signal(int sig)
{
    if (sig == SIGHUP) {
        sig_hup = 1;
    } else if (sig == SIGCHLD) {
        sig_child = 1;
    } else if (sig_stop) {
        /* Second SIGTERM/SIGINT: stop now. Only async-signal-safe calls here. */
        for (sig_atomic_t i = 0; i < n_child_pids; i++)
            if (child_pids[i] > 0)
                kill(child_pids[i], SIGTERM);
        _exit(DAEMON_EXIT_FORCED);
    } else {
        sig_stop = 1;
    }
}

static void install_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* SA_RESTART keeps libpq's reads and writes going; poll() still returns EINTR,
     * which is where the loops notice the flags. */
    sa.sa_flags = SA_RESTART;
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGCHLD, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sleeps up to ms, returning early when a signal arrives. */
static void nap(int ms)
{
    if (ms > 0)
        poll(NULL, 0, ms);
}

typedef struct {
    const char *config_path;
    cfg_t cfg;
    handler_ctx *h;
    spool *sp;
    store *st;              /* NULL while disconnected */
    int main_process;       /* 1: talks to systemd */
    char me[160];           /* name in jobs.locked_by and the claim directory */
    char migrations[PATH_MAX];
    int healthy;            /* 0 after "unhealthy" was logged, until reconnected */
    int backoff;            /* seconds before the next reconnect attempt */
    double next_connect;    /* monotonic seconds */
    double down_since;
    double next_rescue;
    double next_purge;
    int files_in_row;
    unsigned kinds;         /* the job kinds this build can run */
    unsigned long files_ok, files_rejected, jobs_done, jobs_failed;
} worker;

/* Tells systemd the STATUS= line, only when it changed (the notification socket is a
 * datagram queue of a few entries: a chatty sender could fill it). */
static void notify_status(worker *w)
{
    static char last[256];
    char text[256];
    long c[4] = {0, 0, 0, 0};
    err_t e;

    /* Not under systemd (no notification socket): nothing to tell, no query. */
    if (!w->main_process || !getenv("NOTIFY_SOCKET"))
        return;
    if (w->st && store_job_counts(w->st, c, &e) != 0)
        memset(c, 0, sizeof c);
    snprintf(text, sizeof text, "STATUS=%s; files %lu ingested, %lu rejected; jobs %ld pending, %ld running, %ld failed",
             w->st ? "healthy" : "database unavailable, retrying", w->files_ok, w->files_rejected,
             c[STORE_JOB_PENDING], c[STORE_JOB_RUNNING], c[STORE_JOB_FAILED]);
    if (strcmp(text, last) == 0)
        return;
    memcpy(last, text, sizeof last);
    sd_notify(0, text);
}

/* The connection is gone (or never came): log "unhealthy" once, drop the store, and
 * schedule the next attempt with exponential backoff. */
static void worker_lost(worker *w, const err_t *e)
{
    if (w->healthy) {
        log_warn("database", "unhealthy: %s; retrying every %d..%d s, nothing is lost", e->msg,
                 w->cfg.retry_backoff_min, w->cfg.retry_backoff_max);
        w->healthy = 0;
        w->down_since = now_s();
        w->backoff = w->cfg.retry_backoff_min;
    } else {
        log_debug("database", "%s: still unavailable: %s", __func__, e->msg);
        w->backoff *= 2;
        if (w->backoff > w->cfg.retry_backoff_max)
            w->backoff = w->cfg.retry_backoff_max;
    }
    store_job_rollback(w->st);
    store_close(w->st);
    w->st = NULL;
    w->next_connect = now_s() + w->backoff;
    notify_status(w);
}

/* Queues the scoring of every procurement not yet evaluated under the current version of
 * each configured set (a set added or changed since, or procurements stored while no
 * daemon scored). Only when this daemon scores. Returns 0 or the store's error. */
static int enqueue_stale(worker *w, err_t *e)
{
    if (!(w->kinds & STORE_JOB_KIND_BIT(STORE_JOB_SCORE)))
        return 0;
    for (size_t i = 0; i < handler_ctx_sets(w->h); i++) {
        long n = 0;
        int rc = store_job_enqueue_stale(w->st, handler_ctx_set_id(w->h, i), handler_ctx_set_sha256(w->h, i),
                                         &n, e);
        if (rc != 0)
            return rc;
        if (n > 0)
            log_info(handler_ctx_set_id(w->h, i),
                     "%ld procurement(s) queued for scoring under this version of the set", n);
    }
    return 0;
}

/* Connects, checks the schema, LISTENs and hands back jobs of dead claimers.
 * Returns 0, ERR_SCHEMA (fatal: the message says which command fixes it), or another
 * code after which worker_lost has been called. */
static int worker_connect(worker *w)
{
    err_t e;
    int rc;
    long rescued = 0;

    err_clear(&e);
    rc = store_open(&w->st, w->cfg.database, &e);
    if (rc == 0)
        rc = store_schema_check(w->st, w->migrations, &e);
    if (rc == ERR_SCHEMA) {
        log_error("database", "%s", e.msg);
        store_close(w->st);
        w->st = NULL;
        return rc;
    }
    if (rc == 0)
        rc = store_job_listen(w->st, &e);
    if (rc == 0)
        rc = store_job_rescue(w->st, w->cfg.job_max_attempts, &rescued, &e);
    if (rc == 0)
        rc = enqueue_stale(w, &e);
    if (rc != 0) {
        if (rc != ERR_DB_UNAVAILABLE)
            log_error("database", "%s", e.msg);
        worker_lost(w, &e);
        return rc;
    }
    if (!w->healthy)
        log_info("database", "healthy again after %.0f s", now_s() - w->down_since);
    w->healthy = 1;
    w->backoff = w->cfg.retry_backoff_min;
    if (rescued > 0)
        log_info("jobs", "%ld job(s) of daemons that went away handed back", rescued);
    w->next_rescue = now_s() + w->cfg.poll_interval;
    return 0;
}

/* Copies s into out with control bytes (newline, escape, ...) shown as '?': file names
 * and ocids come from input and must not forge log lines or terminal sequences. */
static void printable(char *out, size_t size, const char *s)
{
    size_t i = 0;
    for (; s[i] && i + 1 < size; i++)
        out[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
    out[i] = '\0';
}

/* One inbox file. Returns 1 when a file was handled (or left for later after an
 * outage), 0 when the inbox had nothing ready, DAEMON_EXIT_INFRA on a spool failure. */
static int step_file(worker *w)
{
    char *path = NULL, *file = NULL, name[300];
    ingest_stats stats;
    err_t e;
    int rc, ret = 1;

    err_clear(&e);
    rc = spool_next(w->sp, &path, &file, &e);
    if (rc == ERR_NOT_FOUND)
        return 0;
    if (rc != 0) {
        log_error("spool", "%s", e.msg);
        return rc == ERR_NOMEM ? -DAEMON_EXIT_INFRA : 0;
    }
    printable(name, sizeof name, file);
    log_debug(name, "%s: claimed as %s", __func__, path);
    rc = handler_ingest(w->h, w->st, path, &stats, &e);
    if (rc == ERR_DB_UNAVAILABLE) {
        /* Rolled back (or committed, then re-ingesting is a no-op): the file stays
         * claimed and is taken again after the reconnect. */
        log_warn(name, "ingest interrupted, file kept for retry: %s", e.msg);
        worker_lost(w, &e);
        goto cleanup;
    }
    if (rc == 0 && stats.duplicate_file) {
        err_t me;
        log_info(name, "already ingested (same SHA-256): nothing changed");
        if (spool_archive(w->sp, path, file, &me) != 0) {
            log_error(name, "not archived: %s", me.msg);
            ret = me.code == ERR_NOT_FOUND ? 1 : -DAEMON_EXIT_INFRA;
        } else {
            w->files_ok++;
        }
    } else if (rc == 0) {
        err_t me;
        log_info(name, "ingested (%s): %zu releases new, %zu unchanged, %zu changed, %zu compiled; "
                       "%zu procurements, %zu records rejected, %zu notes",
                 stats.format, stats.releases_new, stats.releases_same, stats.releases_changed,
                 stats.compiled, stats.procurements, stats.rejected, stats.notes);
        if (spool_archive(w->sp, path, file, &me) != 0) {
            /* A vanished file is someone else's doing: say so and go on. Any other
             * failure would repeat for every file: stop (exit 3) for an operator. */
            log_error(name, "committed but not archived (it will be re-read as a no-op): %s", me.msg);
            ret = me.code == ERR_NOT_FOUND ? 1 : -DAEMON_EXIT_INFRA;
        } else {
            w->files_ok++;
        }
    } else {
        err_t me;
        log_warn(name, "rejected: %s", e.msg);
        if (spool_reject(w->sp, path, file, e.msg, &me) != 0) {
            log_error(name, "could not move to rejected/: %s", me.msg);
            ret = me.code == ERR_NOT_FOUND ? 1 : -DAEMON_EXIT_INFRA;
        } else {
            w->files_rejected++;
        }
    }
    notify_status(w);

cleanup:
    free(path);
    free(file);
    return ret;
}

static int job_backoff(const worker *w, int attempts)
{
    long b = w->cfg.retry_backoff_min;
    for (int i = 1; i < attempts && b < w->cfg.retry_backoff_max; i++)
        b *= 2;
    return (int)(b > w->cfg.retry_backoff_max ? w->cfg.retry_backoff_max : b);
}

/* One job. Returns 1 when a job was handled, 0 when none was ready. */
static int step_job(worker *w)
{
    store_job job;
    char ctx[200], out[PATH_MAX];
    size_t n_eval = 0;
    ingest_stats stats;
    err_t e;
    int rc;

    err_clear(&e);
    rc = store_job_claim(w->st, w->me, w->kinds, &job, &e);
    if (rc == ERR_NOT_FOUND)
        return 0;
    if (rc != 0) {
        if (rc == ERR_DB_UNAVAILABLE)
            worker_lost(w, &e);
        else
            log_error("jobs", "%s", e.msg);
        return rc == ERR_DB_UNAVAILABLE;
    }
    {
        char what[130];
        printable(what, sizeof what, job.kind == STORE_JOB_INGEST ? job.path : job.ocid);
        snprintf(ctx, sizeof ctx, "job %lld %s %s", job.id, store_job_kind_name(job.kind), what);
    }
    out[0] = '\0';

    if (job.kind == STORE_JOB_INGEST) {
        /* ingest_file runs its own transaction; the job is closed after it, and a crash
         * in between re-runs an ingest that is then a no-op (SHA-256 identity). */
        rc = handler_ingest(w->h, w->st, job.path, &stats, &e);
        if (rc == 0 || rc == ERR_NOT_FOUND) {
            err_t e2;
            rc = store_job_begin(w->st, &job, w->me, &e2);
            if (rc == 0)
                rc = store_job_finish(w->st, &job, NULL, &e2);
            if (rc != 0)
                e = e2;
        }
    } else {
        rc = store_job_begin(w->st, &job, w->me, &e);
        if (rc == ERR_CONFLICT) {
            log_warn(ctx, "%s; dropped", e.msg);
            store_job_dispose(&job);
            return 1;
        }
        if (rc == 0) {
            if (job.kind == STORE_JOB_SCORE)
                rc = handler_score(w->h, w->st, &job, &n_eval, &e);
            else
                rc = handler_render(w->h, w->st, &job, out, sizeof out, &e);
            if (rc == ERR_NOT_FOUND) {
                log_warn(ctx, "nothing to do: %s", e.msg);
                rc = 0;
            }
            if (rc == 0)
                rc = store_job_finish(w->st, &job, out[0] ? out : NULL, &e);
            else
                store_job_rollback(w->st);
        }
    }

    if (rc == 0) {
        w->jobs_done++;
        if (job.kind == STORE_JOB_SCORE)
            log_info(ctx, "done: %zu evaluation(s) stored", n_eval);
        else if (job.kind == STORE_JOB_RENDER)
            log_info(ctx, "done: %s", out);
        else
            log_info(ctx, "done: %zu procurements", stats.procurements);
    } else if (rc == ERR_DB_UNAVAILABLE) {
        /* The work was rolled back; the job stays running under our old session and is
         * handed back by the rescue once we (or another daemon) reconnect. */
        log_warn(ctx, "interrupted: %s", e.msg);
        worker_lost(w, &e);
    } else {
        err_t e2;
        int b = job_backoff(w, job.attempts);
        /* Bad data will not get better by retrying (a new ingest enqueues new jobs). */
        int max = (rc == ERR_BAD_INPUT || rc == ERR_LIMIT) ? job.attempts : w->cfg.job_max_attempts;
        w->jobs_failed++;
        if (job.attempts >= max)
            log_error(ctx, "failed (attempt %d of %d, giving up): %s", job.attempts, max, e.msg);
        else
            log_warn(ctx, "failed (attempt %d of %d, retry in %d s): %s", job.attempts,
                     w->cfg.job_max_attempts, b, e.msg);
        if (store_job_fail(w->st, &job, w->me, max, b, e.msg, &e2) != 0) {
            if (e2.code == ERR_DB_UNAVAILABLE)
                worker_lost(w, &e2);
            else
                log_error(ctx, "%s", e2.msg);
        }
    }
    store_job_dispose(&job);
    return 1;
}

/* The job kinds to claim: those configured that this build can run. */
static unsigned job_kinds(const cfg_t *c)
{
    unsigned can = STORE_JOB_KIND_BIT(STORE_JOB_INGEST) |
                   (handler_can_score() ? STORE_JOB_KIND_BIT(STORE_JOB_SCORE) : 0) |
                   (handler_can_render() ? STORE_JOB_KIND_BIT(STORE_JOB_RENDER) : 0);
    return c->job_kinds & can;
}

/* SIGHUP: parse, validate and load into fresh objects; swap only when all succeeded. */
static void worker_reload(worker *w)
{
    cfg_t fresh;
    handler_ctx *h = NULL;
    char fixed[512];
    err_t e;

    if (w->main_process)
        sd_notify(0, "RELOADING=1");
    err_clear(&e);
    if (cfg_load(&fresh, w->config_path, &e) != 0) {
        log_error("reload", "%s; keeping the old configuration", e.msg);
        goto done;
    }
    cfg_nonreloadable_changes(&w->cfg, &fresh, fixed, sizeof fixed);
    if (cfg_carry_nonreloadable(&fresh, &w->cfg, &e) != 0 || handler_ctx_new(&h, &fresh, &e) != 0) {
        log_error("reload", "%s; keeping the old configuration and criteria sets", e.msg);
        cfg_dispose(&fresh);
        goto done;
    }
    if (fixed[0])
        log_warn("reload", "changes to %s need a restart; they are ignored until then", fixed);
    handler_ctx_free(w->h);
    w->h = h;
    cfg_dispose(&w->cfg);
    w->cfg = fresh;
    log_set_level(w->cfg.log_level);
    spool_set_settle(w->sp, w->cfg.settle_time);
    w->kinds = job_kinds(&w->cfg);
    log_info("reload", "configuration and %zu criteria set(s) reloaded from %s", handler_ctx_sets(w->h),
             w->config_path);
    /* A new or changed set re-scores everything under it (old evaluations are kept). */
    if (w->st && enqueue_stale(w, &e) != 0) {
        if (e.code == ERR_DB_UNAVAILABLE)
            worker_lost(w, &e);
        else
            log_error("reload", "%s", e.msg);
    }
done:
    if (w->main_process)
        sd_notify(0, "READY=1");
}

/* The worker loop. Returns a DAEMON_EXIT_ code. */
static int worker_loop(worker *w)
{
    int ret = DAEMON_EXIT_OK;

    while (!sig_stop) {
        int did = 0, r;
        double now;

        if (sig_hup) {
            sig_hup = 0;
            worker_reload(w);
        }
        if (!w->st) {
            now = now_s();
            if (now < w->next_connect) {
                nap((int)((w->next_connect - now) * 1000) + 1);
                continue;
            }
            if (worker_connect(w) == ERR_SCHEMA) {
                ret = DAEMON_EXIT_INFRA;
                break;
            }
            if (!w->st)
                continue;
            notify_status(w);
        }
        if (w->files_in_row < DAEMON_FILES_PER_JOB) {
            r = step_file(w);
            if (r < 0) {
                ret = -r;
                break;
            }
            if (r > 0) {
                w->files_in_row++;
                continue;
            }
        }
        w->files_in_row = 0;
        if (!w->st)
            continue;
        did = step_job(w);
        if (did || !w->st || sig_stop)
            continue;
        /* Idle: hand back jobs of dead claimers now and then, then wait. */
        now = now_s();
        if (now >= w->next_rescue) {
            long n = 0;
            err_t e;
            w->next_rescue = now + w->cfg.poll_interval;
            if (store_job_rescue(w->st, w->cfg.job_max_attempts, &n, &e) != 0) {
                if (e.code == ERR_DB_UNAVAILABLE)
                    worker_lost(w, &e);
                else
                    log_error("jobs", "%s", e.msg);
                continue;
            }
            if (n > 0) {
                log_info("jobs", "%ld job(s) of daemons that went away handed back", n);
                continue;
            }
            if (w->cfg.job_retention > 0 && now >= w->next_purge) {
                w->next_purge = now + 3600;
                if (store_job_purge(w->st, w->cfg.job_retention, &n, &e) != 0)
                    log_warn("jobs", "%s", e.msg);
                else if (n > 0)
                    log_info("jobs", "%ld done job(s) older than %d s deleted", n, w->cfg.job_retention);
            }
            notify_status(w);
        }
        {
            /* Woken by a NOTIFY (new jobs), by a file arriving in the inbox, by a
             * signal, or after poll_interval. */
            err_t e;
            int r2 = store_job_wait(w->st, spool_watch_fd(w->sp), w->cfg.poll_interval * 1000, &e);
            if (r2 < 0)
                worker_lost(w, &e);
            else if (r2 == 2)
                spool_watch_drain(w->sp);
        }
    }
    if (sig_stop)
        log_info(w->me, "stopping: %lu files ingested, %lu rejected, %lu jobs done, %lu failed",
                 w->files_ok, w->files_rejected, w->jobs_done, w->jobs_failed);
    return ret;
}

static void worker_dispose(worker *w)
{
    spool_free(w->sp);
    w->sp = NULL;
    store_close(w->st);
    w->st = NULL;
    handler_ctx_free(w->h);
    w->h = NULL;
    cfg_dispose(&w->cfg);
}

/* Opens the spool under this worker's name; `suffix` tells workers apart. */
static int worker_open_spool(worker *w, const char *suffix)
{
    size_t used = strlen(w->me);
    err_t e;

    /* me is at most 127 bytes before the suffix (the name is cut there). */
    if (used < sizeof w->me)
        snprintf(w->me + used, sizeof w->me - used, "%s", suffix);
    if (spool_open(&w->sp, w->cfg.inbox_dir, w->cfg.archive_dir, w->cfg.rejected_dir, w->me,
                   w->cfg.settle_time, &e) != 0) {
        log_error("spool", "%s", e.msg);
        return DAEMON_EXIT_INFRA;
    }
    {
        size_t n = 0;
        if (spool_reclaim(w->sp, &n, &e) != 0)
            log_error("spool", "%s", e.msg);
        else if (n > 0)
            log_info("spool", "%zu file(s) claimed by daemons that went away taken over", n);
    }
    return 0;
}

/* The supervisor of cfg.workers forked workers. */
static int supervise(worker *w)
{
    pid_t pids[DAEMON_MAX_WORKERS];
    int n = w->cfg.workers, ret = DAEMON_EXIT_OK, alive = 0;
    double restart_at[DAEMON_MAX_WORKERS];

    for (int i = 0; i < n; i++) {
        pids[i] = 0;
        restart_at[i] = 0;
    }
    sd_notifyf(0, "READY=1\nSTATUS=%d workers", n);
    for (;;) {
        double now = now_s();
        for (int i = 0; i < n && !sig_stop; i++) {
            char suffix[16];
            pid_t pid;
            if (pids[i] > 0 || now < restart_at[i])
                continue;
            snprintf(suffix, sizeof suffix, "-w%d", i + 1);
            pid = fork();
            if (pid < 0) {
                log_error("daemon", "fork: %s", strerror(errno));
                restart_at[i] = now + w->cfg.retry_backoff_max;
                continue;
            }
            if (pid == 0) {
                int rc;
                n_child_pids = 0;
                /* Own process group: a Ctrl-C on the terminal reaches only the
                 * supervisor, which forwards one SIGTERM (a second would force the
                 * worker out). Under systemd use KillMode=mixed for the same reason. */
                setpgid(0, 0);
                w->main_process = 0;
                rc = worker_open_spool(w, suffix);
                if (rc == 0)
                    rc = worker_loop(w);
                worker_dispose(w);
                _exit(rc);
            }
            pids[i] = pid;
            child_pids[i] = pid;
            if (n_child_pids < i + 1)
                n_child_pids = i + 1;
            alive++;
            log_info("daemon", "worker %d started (pid %ld)", i + 1, (long)pid);
        }
        if (sig_hup) {
            cfg_t probe;
            err_t e;
            sig_hup = 0;
            sd_notify(0, "RELOADING=1");
            if (cfg_load(&probe, w->config_path, &e) != 0) {
                log_error("reload", "%s; workers keep the old configuration", e.msg);
            } else {
                cfg_dispose(&probe);
                for (int i = 0; i < n; i++)
                    if (pids[i] > 0)
                        kill(pids[i], SIGHUP);
            }
            sd_notify(0, "READY=1");
        }
        if (sig_stop) {
            for (int i = 0; i < n; i++)
                if (pids[i] > 0)
                    kill(pids[i], SIGTERM);
        }
        for (;;) {
            int status;
            pid_t pid = waitpid(-1, &status, WNOHANG);
            if (pid <= 0)
                break;
            for (int i = 0; i < n; i++) {
                if (pids[i] != pid)
                    continue;
                pids[i] = 0;
                child_pids[i] = 0;
                alive--;
                if (WIFEXITED(status) && WEXITSTATUS(status) == DAEMON_EXIT_INFRA) {
                    log_error("daemon", "worker %d stopped on an infrastructure error; stopping", i + 1);
                    ret = DAEMON_EXIT_INFRA;
                    sig_stop = 1;
                } else if (!sig_stop) {
                    log_warn("daemon", "worker %d (pid %ld) ended (%s %d); restarting in %d s", i + 1,
                             (long)pid, WIFSIGNALED(status) ? "signal" : "status",
                             WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
                             w->cfg.retry_backoff_min);
                    restart_at[i] = now_s() + w->cfg.retry_backoff_min;
                }
            }
        }
        if (sig_stop && alive == 0)
            break;
        sig_child = 0;
        nap(1000);
    }
    return ret;
}

static int load_all(worker *w, const char *path)
{
    err_t e;

    err_clear(&e);
    if (cfg_load(&w->cfg, path, &e) != 0) {
        log_error("config", "%s", e.msg);
        return DAEMON_EXIT_USAGE;
    }
    if (handler_ctx_new(&w->h, &w->cfg, &e) != 0) {
        log_error("config", "%s", e.msg);
        cfg_dispose(&w->cfg);
        return DAEMON_EXIT_USAGE;
    }
    return 0;
}

/* The 1-based line of the configuration file that sets `key`, or 0 (a default). */
static int key_line(const char *path, const char *key)
{
    char line[4200];
    size_t kl = strlen(key);
    int n = 0, found = 0;
    FILE *f = fopen(path, "r");

    if (!f)
        return 0;
    while (fgets(line, sizeof line, f)) {
        const char *p = line;
        n++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncmp(p, key, kl) == 0 && (p[kl] == ' ' || p[kl] == '\t' || p[kl] == '='))
            found = n; /* the last one wins, as in cfg_load */
    }
    fclose(f);
    return found;
}

/* -n on one spool or reports directory. The daemon creates a missing directory at start
 * (spool_open: mkdir -p; `deep` 1) or at the first report (handlers' write_atomic: one
 * mkdir, `deep` 0), so a missing one is fine when its nearest existing ancestor (deep) or
 * its parent is a writable directory; it is an error when it cannot be
 * created, or exists but is not a writable directory. Prints `file:line: key: ...`.
 * Returns 0 when usable, -1 when not. */
static int check_dir(const char *config_path, const char *key, const char *dir, int deep)
{
    char up[PATH_MAX], where[PATH_MAX + 32];
    struct stat sb;
    int line = key_line(config_path, key), r;

    if (line > 0)
        r = snprintf(where, sizeof where, "%s:%d: %s", config_path, line, key);
    else
        r = snprintf(where, sizeof where, "%s: %s (default)", config_path, key);
    if (r < 0 || (size_t)r >= sizeof where)
        where[sizeof where - 1] = '\0';
    if (stat(dir, &sb) == 0) {
        if (!S_ISDIR(sb.st_mode)) {
            printf("%s: %s is not a directory\n", where, dir);
            return -1;
        }
        if (access(dir, W_OK | X_OK) != 0) {
            printf("%s: %s: %s\n", where, dir, strerror(errno));
            return -1;
        }
        return 0;
    }
    if (errno != ENOENT && errno != ENOTDIR) {
        printf("%s: %s: %s\n", where, dir, strerror(errno));
        return -1;
    }
    r = snprintf(up, sizeof up, "%s", dir);
    if (r < 0 || (size_t)r >= sizeof up) {
        printf("%s: path too long\n", where);
        return -1;
    }
    for (;;) {
        char *slash = strrchr(up, '/');
        if (!slash) {
            snprintf(up, sizeof up, ".");
        } else if (slash == up) {
            up[1] = '\0';
        } else {
            *slash = '\0';
        }
        if (stat(up, &sb) == 0)
            break;
        if ((errno != ENOENT && errno != ENOTDIR) || !deep || strcmp(up, ".") == 0 || strcmp(up, "/") == 0) {
            printf("%s: no such directory (%s: %s)\n", where, up, strerror(errno));
            return -1;
        }
    }
    if (!S_ISDIR(sb.st_mode) || access(up, W_OK | X_OK) != 0) {
        printf("%s: no such directory, and it cannot be created (%s: %s)\n", where, up,
               S_ISDIR(sb.st_mode) ? strerror(errno) : "not a directory");
        return -1;
    }
    printf("%s: %s does not exist yet: procauditd creates it %s\n", where, dir,
           deep ? "at start" : "at the first report");
    return 0;
}

int daemon_check_config(const char *config_path)
{
    worker w;
    int bad = 0;

    memset(&w, 0, sizeof w);
    if (load_all(&w, config_path) != 0)
        return DAEMON_EXIT_USAGE;
    bad |= check_dir(config_path, "inbox_dir", w.cfg.inbox_dir, 1);
    bad |= check_dir(config_path, "archive_dir", w.cfg.archive_dir, 1);
    bad |= check_dir(config_path, "rejected_dir", w.cfg.rejected_dir, 1);
    bad |= check_dir(config_path, "reports_dir", w.cfg.reports_dir, 0);
    if (bad) {
        printf("%s: not ok (see above)\n", config_path);
        worker_dispose(&w);
        return DAEMON_EXIT_USAGE;
    }
    printf("%s: ok (%zu criteria set(s))\n", config_path, handler_ctx_sets(w.h));
    worker_dispose(&w);
    return DAEMON_EXIT_OK;
}

int daemon_run(const char *config_path)
{
    worker w;
    err_t e;
    int rc;

    memset(&w, 0, sizeof w);
    w.config_path = config_path;
    w.main_process = 1;
    w.healthy = 1;
    install_signals();
    rc = load_all(&w, config_path);
    if (rc != 0)
        return rc;
    w.kinds = job_kinds(&w.cfg);
    log_set_level(w.cfg.log_level);
    if (store_migrations_dir(w.migrations, sizeof w.migrations,
                             w.cfg.migrations_dir[0] ? w.cfg.migrations_dir : NULL, &e) != 0) {
        log_error("config", "%s", e.msg);
        worker_dispose(&w);
        return DAEMON_EXIT_USAGE;
    }
    if (w.cfg.name[0]) {
        snprintf(w.me, 128, "%s", w.cfg.name);
    } else {
        char host[128];
        if (gethostname(host, sizeof host) != 0)
            snprintf(host, sizeof host, "localhost");
        host[sizeof host - 1] = '\0';
        snprintf(w.me, sizeof w.me, "%s-%ld", host, (long)getpid());
    }
    /* The first connection decides whether we may start at all: a schema mismatch is
     * fatal now; an unreachable database is not (we retry and report unhealthy). */
    w.backoff = w.cfg.retry_backoff_min;
    if (worker_connect(&w) == ERR_SCHEMA) {
        worker_dispose(&w);
        return DAEMON_EXIT_INFRA;
    }
    log_info("daemon", "procauditd %s started: inbox %s, %zu criteria set(s), %d worker(s), jobs: ingest%s%s, database %s",
             w.me, w.cfg.inbox_dir, handler_ctx_sets(w.h), w.cfg.workers,
             (w.kinds & STORE_JOB_KIND_BIT(STORE_JOB_SCORE)) ? " score" : "",
             (w.kinds & STORE_JOB_KIND_BIT(STORE_JOB_RENDER)) ? " render" : "",
             w.st ? "connected" : "unavailable (retrying)");
    if (w.cfg.workers > 1) {
        /* The supervisor holds no connection: each worker opens its own. */
        store_close(w.st);
        w.st = NULL;
        w.healthy = 1;
        w.next_connect = 0;
        rc = supervise(&w);
    } else {
        rc = worker_open_spool(&w, "");
        if (rc == 0) {
            sd_notify(0, "READY=1");
            notify_status(&w);
            rc = worker_loop(&w);
        }
    }
    sd_notify(0, "STOPPING=1");
    worker_dispose(&w);
    log_info("daemon", "stopped (exit %d)", rc);
    return rc;
}
