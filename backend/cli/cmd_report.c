/* cmd_report.c - procaudit report: render the PDF audit report of one procurement, or the
 * report of one buyer, from what the database holds (SPEC §6, §8). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "report.h"
#include "store/report_data.h"
#include "store/store.h"
#include "util/err.h"

static const struct {
    const char *name;
    const char *arg;
    const char *help;
} report_options[] = {
    {"--ocid", "ID", "the procurement audit report of this ocid"},
    {"--buyer", "ID", "the buyer report of this buyer id (procurements.buyer_id)"},
    {"--audience", "WHO", "internal (default: everything) or public (contact names, "
                          "e-mails and telephone numbers removed)"},
    {"--lang", "LANG", "language of the labels: en (default) or zh"},
    {"--criteria", "SET", "criteria set id (or its file) whose latest evaluation to show "
                          "(default: the latest evaluation under any set)"},
    {"--from", "DATE", "buyer report: first day of the period (YYYY-MM-DD)"},
    {"--to", "DATE", "buyer report: last day of the period (YYYY-MM-DD)"},
    {"--templates", "DIR", "report templates (default: $PROCAUDIT_TEMPLATES/reports, "
                           "../templates/reports beside the executable, ./templates/reports)"},
    {"-o", "FILE", "the PDF to write (required)"},
    {"--db", "CONNINFO", "libpq conninfo or URI (default: the PG* environment variables)"},
    {"--help", NULL, "this text"},
};

static void report_usage(FILE *f)
{
    fprintf(f, "usage: procaudit report (--ocid ID|--buyer ID) [--audience internal|public]\n"
               "                        [--lang en|zh] [--criteria SET] [--from DATE] [--to DATE]\n"
               "                        [--templates DIR] [--db CONNINFO] -o FILE.pdf\n\n"
               "Renders a PDF from the stored procurement and its latest evaluation (run\n"
               "`procaudit score` first). The generation date printed and stored in the PDF is\n"
               "$SOURCE_DATE_EPOCH when set (then two runs give the same bytes), else now.\n"
               "Fonts: Liberation Sans 2 (fonts-liberation2) with DejaVu Sans as fallback, or\n"
               "DejaVu Sans alone; WenQuanYi Micro Hei for CJK; PROCAUDIT_FONT_DIR overrides.\n\n"
               "options:\n");
    for (size_t i = 0; i < sizeof report_options / sizeof report_options[0]; i++)
        fprintf(f, "  %-12s %-9s %s\n", report_options[i].name,
                report_options[i].arg ? report_options[i].arg : "", report_options[i].help);
    fprintf(f, "\nexit codes: 0 ok, 1 not found (unknown ocid or buyer, or no evaluation yet),\n"
               "2 usage (bad option, date or language), 3 database, fonts, templates, files\n"
               "or memory\n");
}

static int is_dir(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* The templates directory: given, $PROCAUDIT_TEMPLATES/reports, ../templates/reports
 * beside the executable, ./templates/reports. */
static int templates_dir(char *out, size_t n, const char *given)
{
    const char *env = getenv("PROCAUDIT_TEMPLATES");
    char exe[PATH_MAX];
    ssize_t k;
    int r;

    if (given) {
        r = snprintf(out, n, "%s", given);
        return r > 0 && (size_t)r < n ? 0 : ERR_LIMIT;
    }
    if (env && *env) {
        r = snprintf(out, n, "%s/reports", env);
        if (r > 0 && (size_t)r < n && is_dir(out))
            return 0;
    }
    k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (k > 0) {
        char *slash;
        exe[k] = '\0';
        slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            r = snprintf(out, n, "%s/../templates/reports", exe);
            if (r > 0 && (size_t)r < n && is_dir(out))
                return 0;
        }
    }
    r = snprintf(out, n, "templates/reports");
    return r > 0 && (size_t)r < n ? 0 : ERR_LIMIT;
}

/* A --criteria argument as a set id: "templates/criteria/public-services.xml" and
 * "public-services" both give "public-services". */
static void set_id_of(char *out, size_t n, const char *arg)
{
    const char *base = strrchr(arg, '/');
    size_t len;

    base = base ? base + 1 : arg;
    len = strlen(base);
    if (len > 4 && strcmp(base + len - 4, ".xml") == 0)
        len -= 4;
    if (len >= n)
        len = n - 1;
    memcpy(out, base, len);
    out[len] = '\0';
}

/* Writes the bytes to path through a temporary file in the same directory and a rename,
 * so that a reader never sees half a PDF. */
static int write_file(const char *path, const unsigned char *p, size_t n, err_t *e)
{
    char tmp[PATH_MAX];
    int fd, r = snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path);
    size_t done = 0;

    if (r < 0 || (size_t)r >= sizeof tmp)
        return err_set(e, ERR_LIMIT, "%s: path too long", path);
    fd = mkstemp(tmp);
    if (fd < 0)
        return err_set(e, ERR_IO, "%s: %s", tmp, strerror(errno));
    while (done < n) {
        ssize_t w = write(fd, p + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int er = errno;
            close(fd);
            unlink(tmp);
            return err_set(e, ERR_IO, "%s: %s", tmp, strerror(er));
        }
        done += (size_t)w;
    }
    if (fchmod(fd, 0644) != 0 || fsync(fd) != 0 || close(fd) != 0) {
        unlink(tmp);
        return err_set(e, ERR_IO, "%s: %s", tmp, strerror(errno));
    }
    if (rename(tmp, path) != 0) {
        int er = errno;
        unlink(tmp);
        return err_set(e, ERR_IO, "%s: %s", path, strerror(er));
    }
    return 0;
}

static int exit_for(int rc)
{
    if (rc == ERR_NOT_FOUND)
        return CLI_EXIT_REJECTED;
    return rc == ERR_USAGE ? CLI_EXIT_USAGE : CLI_EXIT_INFRA;
}

/* 1 when s is a real calendar date YYYY-MM-DD (Gregorian leap years), year 1..9999. */
static int valid_date(const char *s)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y = 0, m, d, dim;

    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    for (int i = 0; i < 4; i++)
        y = y * 10 + (s[i] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1 || m < 1 || m > 12 || d < 1)
        return 0;
    dim = mdays[m - 1];
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        dim = 29;
    return d <= dim;
}

/* 1 when DIR/labels.LANG.xml exists ("en" is always needed: the base labels). */
static int lang_known(const char *dir, const char *lang)
{
    char path[PATH_MAX];
    int r;

    for (const char *c = lang; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || *c == '-' || *c == '_'))
            return 0;
    r = snprintf(path, sizeof path, "%s/labels.%s.xml", dir, lang);
    return *lang && r > 0 && (size_t)r < sizeof path && access(path, R_OK) == 0;
}

/* Prints the languages of DIR (labels.*.xml), sorted, comma-separated. */
static void print_langs(FILE *f, const char *dir)
{
    struct dirent **list = NULL;
    int n = scandir(dir, &list, NULL, alphasort), shown = 0;

    for (int i = 0; i < n; i++) {
        const char *nm = list[i]->d_name;
        size_t len = strlen(nm);
        if (len > 11 && strncmp(nm, "labels.", 7) == 0 && strcmp(nm + len - 4, ".xml") == 0)
            fprintf(f, "%s%.*s", shown++ ? ", " : "", (int)(len - 11), nm + 7);
        free(list[i]);
    }
    free(list);
    if (!shown)
        fprintf(f, "none in %s", dir);
}

int cmd_report(int argc, char **argv)
{
    const char *ocid = NULL, *buyer = NULL, *out_path = NULL, *db = NULL, *lang = "en";
    const char *crit = NULL, *from = NULL, *to = NULL, *tpl_arg = NULL;
    report_audience aud = REPORT_INTERNAL;
    char tdir[PATH_MAX], set_id[256];
    report_templates *tpl = NULL;
    report_fonts fonts;
    report_context ctx;
    model_procurement *p = NULL;
    evaluation_t *ev = NULL;
    store *st = NULL;
    unsigned char *pdf = NULL;
    size_t pdf_len = 0;
    err_t e;
    int rc = 0, code = CLI_EXIT_OK;

    err_clear(&e);
    report_context_init(&ctx);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_val = i + 1 < argc;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            report_usage(stdout);
            return CLI_EXIT_OK;
        } else if (strcmp(a, "--ocid") == 0 && has_val) {
            ocid = argv[++i];
        } else if (strcmp(a, "--buyer") == 0 && has_val) {
            buyer = argv[++i];
        } else if (strcmp(a, "--audience") == 0 && has_val) {
            const char *v = argv[++i];
            if (strcmp(v, "internal") == 0) {
                aud = REPORT_INTERNAL;
            } else if (strcmp(v, "public") == 0) {
                aud = REPORT_PUBLIC;
            } else {
                fprintf(stderr, "procaudit report: --audience internal|public, not '%s'\n", v);
                return CLI_EXIT_USAGE;
            }
        } else if (strcmp(a, "--lang") == 0 && has_val) {
            lang = argv[++i];
        } else if (strcmp(a, "--criteria") == 0 && has_val) {
            crit = argv[++i];
        } else if (strcmp(a, "--from") == 0 && has_val) {
            from = argv[++i];
        } else if (strcmp(a, "--to") == 0 && has_val) {
            to = argv[++i];
        } else if (strcmp(a, "--templates") == 0 && has_val) {
            tpl_arg = argv[++i];
        } else if ((strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) && has_val) {
            out_path = argv[++i];
        } else if (strcmp(a, "--db") == 0 && has_val) {
            db = argv[++i];
        } else {
            fprintf(stderr, "procaudit report: unexpected argument '%s'\n", a);
            report_usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if ((ocid != NULL) == (buyer != NULL) || !out_path) {
        fprintf(stderr, "procaudit report: give one of --ocid or --buyer, and -o FILE.pdf\n");
        report_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if ((from || to) && !buyer) {
        fprintf(stderr, "procaudit report: --from and --to only with --buyer\n");
        report_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if ((from && !valid_date(from)) || (to && !valid_date(to))) {
        fprintf(stderr, "procaudit report: --%s '%s' is not a date YYYY-MM-DD\n",
                from && !valid_date(from) ? "from" : "to", from && !valid_date(from) ? from : to);
        report_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    /* Same-length ISO dates compare as strings. */
    if (from && to && strcmp(from, to) > 0) {
        fprintf(stderr, "procaudit report: --from %s is later than --to %s\n", from, to);
        report_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (crit)
        set_id_of(set_id, sizeof set_id, crit);
    ctx.audience = aud;
    ctx.generated_at = report_epoch_now();

    report_fonts_default(&fonts);
    if (templates_dir(tdir, sizeof tdir, tpl_arg) != 0) {
        rc = err_set(&e, ERR_LIMIT, "templates path too long");
        goto fail;
    }
    if (is_dir(tdir) && !lang_known(tdir, lang)) {
        fprintf(stderr, "procaudit report: no report labels for language %s (available: ", lang);
        print_langs(stderr, tdir);
        fprintf(stderr, ")\n");
        code = CLI_EXIT_USAGE;
        goto cleanup;
    }
    rc = report_templates_load(&tpl, tdir, lang, &e);
    if (rc == 0)
        rc = report_fonts_check(&fonts, &e);
    if (rc)
        goto fail;
    rc = store_open(&st, db, &e);
    if (rc)
        goto fail;
    if (ocid) {
        rc = store_report_procurement(st, ocid, crit ? set_id : NULL, &p, &ev, &ctx, &e);
        if (rc == 0)
            rc = report_procurement_pdf(&pdf, &pdf_len, tpl, &fonts, p, ev, &ctx, &e);
    } else {
        rc = store_report_buyer(st, buyer, crit ? set_id : NULL, from, to, &ev, &ctx, &e);
        if (rc == 0)
            rc = report_buyer_pdf(&pdf, &pdf_len, tpl, &fonts, ev, &ctx, &e);
    }
    if (rc == 0)
        rc = write_file(out_path, pdf, pdf_len, &e);
    if (rc)
        goto fail;
    fprintf(stderr, "procaudit report: wrote %s (%zu bytes)\n", out_path, pdf_len);
    goto cleanup;
fail:
    fprintf(stderr, "procaudit report: %s\n", e.msg);
    code = rc == ERR_BAD_INPUT && !st ? CLI_EXIT_INFRA : exit_for(rc);
cleanup:
    free(pdf);
    model_procurement_free(p);
    evaluation_free(ev);
    report_context_dispose(&ctx);
    report_templates_free(tpl);
    store_close(st);
    return code;
}
