/* The zkinfer executable: all logic is in the library (src/cli/cli.h). */
#include <signal.h>

#include "cli/cli.h"
#ifdef ZKI_WITH_SERVE
#include "cli/cli_serve.h"
#endif

int main(int argc, char **argv)
{
    zki_cli_memory_policy(argv);
    /* Past a file size limit (ulimit -f) a write then fails with EFBIG, so
     * the half-written temporary is removed, instead of the signal killing
     * the process and leaving it behind. */
    signal(SIGXFSZ, SIG_IGN);
#ifdef ZKI_WITH_SERVE
    zki_cli_set_serve(zki_cli_serve);
#endif
    return zki_cli_main(argc, argv);
}
