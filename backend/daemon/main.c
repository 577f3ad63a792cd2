/* main.c - procauditd, the daemon (placeholder until the daemon issue). */
#include <stdio.h>

int main(void)
{
    fprintf(stderr, "procauditd: not implemented yet\n");
    return 2;
}
