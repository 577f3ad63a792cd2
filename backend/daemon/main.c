/* main.c - procauditd: options, then daemon_run (daemon.c). */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "daemon.h"
#include "handlers.h"

static const struct {
    const char *s, *l, *arg, *help;
} opts[] = {
    {"-c", "--config", "FILE", "configuration file (default /etc/procaudit/procauditd.conf)"},
    {"-n", "--check-config", NULL, "load the configuration and criteria sets, report, exit"},
    {"", "--show-config", NULL, "print the effective configuration (defaults + FILE) and exit"},
    {"", "--doc-config", NULL, "print the configuration reference as a Markdown table and exit"},
    {"", "--capabilities", NULL, "print the handlers this build has (ingest score render) and exit"},
    {"-h", "--help", NULL, "this text"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: procauditd [-c FILE] [-n | --show-config | --doc-config | --capabilities]\n\n"
               "Runs in the foreground (systemd Type=notify), logging to stderr. Ingests files\n"
               "dropped into the inbox, scores procurements, renders reports. See docs/daemon.md.\n\n");
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
        fprintf(f, "  %-3s %-15s %-5s %s\n", opts[i].s, opts[i].l, opts[i].arg ? opts[i].arg : "",
                opts[i].help);
    fprintf(f, "\nsignals: HUP reload, TERM/INT finish the current unit of work and exit 0,\n"
               "a second TERM/INT exits at once (1).\n"
               "exit codes: 0 stopped, 1 forced stop, 2 usage or configuration, 3 infrastructure\n");
}

int main(int argc, char **argv)
{
    const char *path = "/etc/procaudit/procauditd.conf";
    int check = 0, show = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if ((strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) && i + 1 < argc) {
            path = argv[++i];
        } else if (strcmp(a, "-n") == 0 || strcmp(a, "--check-config") == 0) {
            check = 1;
        } else if (strcmp(a, "--show-config") == 0) {
            show = 1;
        } else if (strcmp(a, "--doc-config") == 0) {
            cfg_doc_markdown(stdout);
            return DAEMON_EXIT_OK;
        } else if (strcmp(a, "--capabilities") == 0) {
            printf("ingest%s%s\n", handler_can_score() ? " score" : "", handler_can_render() ? " render" : "");
            return DAEMON_EXIT_OK;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return DAEMON_EXIT_OK;
        } else {
            fprintf(stderr, "procauditd: unexpected argument '%s'\n", a);
            usage(stderr);
            return DAEMON_EXIT_USAGE;
        }
    }
    if (show) {
        cfg_t c;
        err_t e;
        if (cfg_load(&c, path, &e) != 0) {
            fprintf(stderr, "procauditd: %s\n", e.msg);
            return DAEMON_EXIT_USAGE;
        }
        cfg_show(&c, stdout);
        cfg_dispose(&c);
        return DAEMON_EXIT_OK;
    }
    if (check)
        return daemon_check_config(path);
    return daemon_run(path);
}
