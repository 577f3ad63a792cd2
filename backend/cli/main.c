/* main.c - procaudit, the command-line front-end: dispatches to one cmd_<name>. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "util/err.h"

typedef struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *help;
} cli_command;

static const cli_command commands[] = {
    {"criteria", cmd_criteria, "check FILE: validate a criteria set and print it as understood"},
    {"indicators", cmd_indicators, "FILE...: score OCDS / eForms / native XML files without a database (JSON out)"},
    {"ingest", cmd_ingest, "FILE...: ingest OCDS / eForms / native XML files"},
    {"migrate", cmd_migrate, "apply the numbered migrations to the database"},
    {"report", cmd_report, "(--ocid ID|--buyer ID) -o FILE.pdf: render a PDF audit report"},
    {"score", cmd_score, "[--all|--ocid ID|--buyer ID] [--criteria SET]: score procurements"},
    {"show", cmd_show, "OCID: print a procurement and its latest evaluation"},
};

int cli_exit_for(int err)
{
    switch (err) {
    case ERR_OK: return CLI_EXIT_OK;
    case ERR_USAGE: return CLI_EXIT_USAGE;
    case ERR_BAD_INPUT: return CLI_EXIT_REJECTED;
    default: return CLI_EXIT_INFRA;
    }
}

static void usage(FILE *f)
{
    fprintf(f, "usage: procaudit COMMAND [OPTIONS] [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\nDatabase: libpq settings (PGHOST, PGDATABASE, ... or --db CONNINFO where offered).\n"
               "Exit codes: 0 ok, 1 some records rejected, 2 usage, 3 infrastructure.\n"
               "procaudit COMMAND --help describes a command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "procaudit: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return CLI_EXIT_USAGE;
}
