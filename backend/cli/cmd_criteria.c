/* cmd_criteria.c - procaudit criteria (not built yet: placeholder that says so). */
#include <stdio.h>

#include "cli/cli.h"

int cmd_criteria(int argc, char **argv)
{
    (void)argc;
    fprintf(stderr, "procaudit %s: not implemented yet\n", argv[0]);
    return CLI_EXIT_USAGE;
}
