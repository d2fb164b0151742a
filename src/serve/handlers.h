/* The endpoints' handlers (handlers.c, infer.c, web.c). Each answers the
 * request and returns an MHD_Result. */
#ifndef ZKI_SERVE_HANDLERS_H
#define ZKI_SERVE_HANDLERS_H

#include "serve/http.h"

/* MHD_NO, without including microhttpd.h here */
#define MHD_NO_RESULT 0

int zki_handle_prove(zki_request *rq, zki_served_model *m);
int zki_handle_verify(zki_request *rq, zki_served_model *m);
int zki_handle_web(zki_request *rq);

#endif
