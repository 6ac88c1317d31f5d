/*
 * SPDX-License-Identifier: ISC
 * -v and -x: what moved, written after each successful write, as text
 * with escapes (-v), as a hex dump (-x), or both.  The formatting
 * functions are pure (no I/O, no allocation) so that they can be tested
 * and fuzzed on their own.
 */
#ifndef DUCT_DUMP_H
#define DUCT_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#define DUMP_TEXT 0x1u
#define DUMP_HEX 0x2u

/* Chooses the formats (DUMP_* bits); 0 turns dumping off. */
void dump_set_modes(unsigned modes);

/*
 * True when dump_chunk() has something to do for direction dir ('>' or
 * '<'): -v or -x, or that direction's -r/-R file.  The engine copies
 * through its buffer (no zero-copy) where it is.
 */
bool dump_enabled(char dir);

/*
 * -r (dir '>') and -R ('<'): a copy of the bytes of that direction, as
 * they are written to the other address, to path (created or truncated,
 * 0666 & ~umask; appended to afterwards, so that the children of a
 * forking listener add to it).  Returns 0, or -1 with err.
 */
int dump_open_raw(char dir, const char *path, char *err, size_t errlen);

/*
 * Sends dumps to path (appended) instead of the diagnostics stream.
 * Returns 0, or -1 with err.
 */
int dump_open_file(const char *path, char *err, size_t errlen);
/* Closes the dump file and the -r/-R files. */
void dump_close(void);

/*
 * The connection the next chunks belong to ("#17"), named at the end of
 * each -v/-x header line; NULL or "" for none (one pair per process).
 */
void dump_set_tag(const char *tag);

/*
 * Dumps one chunk that went from address 1 to 2 (dir '>') or 2 to 1
 * ('<'); from is the direction's byte offset of data[0].  Also copies it
 * to that direction's -r/-R file.
 */
void dump_chunk(char dir, const void *data, size_t len, uint64_t from);

/*
 * "> 2026/11/23 10:00:00.123456  length=5 from=0 to=4\n" into out.
 * Returns the length written (truncated to outlen - 1, NUL-terminated).
 */
size_t dump_format_header(char *out, size_t outlen, char dir,
    const struct timeval *tv, size_t len, uint64_t from);

/*
 * Escapes data for a terminal: printable ASCII and newline as they are,
 * backslash as "\\", CR and TAB as "\r" and "\t", any other byte as
 * "\xHH".  Consumes input until out (outlen bytes) could not take the next
 * byte's escape; *used gets the input bytes consumed.  Returns the output
 * length (not NUL-terminated).
 */
size_t dump_format_text(char *out, size_t outlen, const unsigned char *data,
    size_t len, size_t *used);

/*
 * One hex dump line for up to 16 bytes starting at offset off:
 * "  00000010  48 65 6c 6c 6f 20 77 6f  72 6c 64 0a        |Hello world.|\n"
 * Needs outlen >= DUMP_HEX_LINE.  Returns the length written.
 */
#define DUMP_HEX_LINE 96
size_t dump_format_hex(char *out, size_t outlen, const unsigned char *data,
    size_t len, uint64_t off);

#endif
