/* zkinfer command-line interface, in the library so tests can call it.
 * Exit codes: 0 ok, 1 a check failed, 2 usage or input error. */
#ifndef ZKI_CLI_CLI_H
#define ZKI_CLI_CLI_H

int zki_cli_main(int argc, char **argv);

#endif
