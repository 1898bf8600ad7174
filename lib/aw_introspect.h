/*
 * aw_introspect.h - looking inside a running loop (included by aw.h).
 */
#ifndef AW_INTROSPECT_H
#define AW_INTROSPECT_H

#endif
