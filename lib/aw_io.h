/*
 * aw_io.h - sockets, streams and servers (included by aw.h).
 */
#ifndef AW_IO_H
#define AW_IO_H

#endif
