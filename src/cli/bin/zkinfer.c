/* The zkinfer executable: all logic is in the library (src/cli/cli.h). */
#include "cli/cli.h"

int main(int argc, char **argv)
{
    return zki_cli_main(argc, argv);
}
