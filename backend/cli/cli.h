/* cli.h - the procaudit command line: one file per subcommand (cmd_<name>.c).
 *
 * Each subcommand is `int cmd_<name>(int argc, char **argv)` with argv[0] the subcommand
 * name; it returns an exit code (SPEC §8): 0 ok, 1 some records rejected, 2 usage,
 * 3 infrastructure (database, files, memory). Each handles --help itself.
 */
#ifndef PROCAUDIT_CLI_H
#define PROCAUDIT_CLI_H

enum {
    CLI_EXIT_OK = 0,        /* everything done */
    CLI_EXIT_REJECTED = 1,  /* done, but some records or files were rejected */
    CLI_EXIT_USAGE = 2,     /* bad options or arguments */
    CLI_EXIT_INFRA = 3      /* database, file system or memory failure */
};

/* Maps an err_code to an exit code: ERR_USAGE -> 2, ERR_BAD_INPUT -> 1, others -> 3. */
int cli_exit_for(int err);

int cmd_migrate(int argc, char **argv);
int cmd_ingest(int argc, char **argv);
int cmd_score(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_indicators(int argc, char **argv);
int cmd_criteria(int argc, char **argv);
int cmd_show(int argc, char **argv);

#endif
