#include "cli/cli.h"

#include <stdio.h>

int zki_cli_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "zkinfer: not implemented yet\n");
    return 2;
}
