/*
 * SPDX-License-Identifier: ISC
 * Data dumps for -v/-x.  Output goes to --dump-file, else --log-file,
 * else stderr, in pieces of at most a few KiB so that no allocation is
 * needed however large the chunk.  Bytes from the network are only ever
 * data here, never a format.  The raw copies of -r/-R live here too: they
 * need the same hook in the engine, and the same end of zero-copy.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dump.h"
#include "log.h"

static unsigned dump_modes;
static int dump_fd = -1;
static int dump_raw_fwd = -1;  /* -r: address 1 -> 2 */
static int dump_raw_back = -1; /* -R: address 2 -> 1 */
static const char *dump_tag;   /* the connection, with workers= */

void
dump_set_modes(unsigned modes)
{
	dump_modes = modes;
}

bool
dump_enabled(char dir)
{
	return dump_modes != 0 ||
	    (dir == '>' ? dump_raw_fwd : dump_raw_back) != -1;
}

int
dump_open_raw(char dir, const char *path, char *err, size_t errlen)
{
	int *fdp = dir == '>' ? &dump_raw_fwd : &dump_raw_back;
	int fd;

	fd = open(
	    path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0666);
	if (fd == -1) {
		snprintf(err, errlen, "cannot open %s file %s: %s",
		    dir == '>' ? "-r" : "-R", path, strerror(errno));
		return -1;
	}
	if (*fdp != -1)
		close(*fdp);
	*fdp = fd;
	return 0;
}

int
dump_open_file(const char *path, char *err, size_t errlen)
{
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
	if (fd == -1) {
		snprintf(err, errlen, "cannot open dump file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	dump_close();
	dump_fd = fd;
	return 0;
}

void
dump_close(void)
{
	if (dump_fd != -1)
		close(dump_fd);
	dump_fd = -1;
	if (dump_raw_fwd != -1)
		close(dump_raw_fwd);
	dump_raw_fwd = -1;
	if (dump_raw_back != -1)
		close(dump_raw_back);
	dump_raw_back = -1;
}

size_t
dump_format_header(char *out, size_t outlen, char dir, const struct timeval *tv,
    size_t len, uint64_t from)
{
	struct tm tm;
	time_t t = tv->tv_sec;
	int n;

	if (outlen == 0)
		return 0;
	localtime_r(&t, &tm);
	n = snprintf(out, outlen,
	    "%c %04d/%02d/%02d %02d:%02d:%02d.%06ld  length=%zu from=%llu "
	    "to=%llu\n",
	    dir, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (long)tv->tv_usec, len,
	    (unsigned long long)from,
	    (unsigned long long)(from + len - (len > 0)));
	if (n < 0)
		return 0;
	return (size_t)n < outlen ? (size_t)n : outlen - 1;
}

size_t
dump_format_text(char *out, size_t outlen, const unsigned char *data,
    size_t len, size_t *used)
{
	static const char hexd[] = "0123456789abcdef";
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = data[i];
		char esc[4];
		size_t n = 0;

		if (c == '\\') {
			esc[n++] = '\\';
			esc[n++] = '\\';
		} else if (c == '\r') {
			esc[n++] = '\\';
			esc[n++] = 'r';
		} else if (c == '\t') {
			esc[n++] = '\\';
			esc[n++] = 't';
		} else if (c == '\n' || (c >= 0x20 && c < 0x7f)) {
			esc[n++] = (char)c;
		} else {
			esc[n++] = '\\';
			esc[n++] = 'x';
			esc[n++] = hexd[c >> 4];
			esc[n++] = hexd[c & 15];
		}
		if (o + n > outlen)
			break;
		memcpy(out + o, esc, n);
		o += n;
	}
	*used = i;
	return o;
}

size_t
dump_format_hex(char *out, size_t outlen, const unsigned char *data, size_t len,
    uint64_t off)
{
	static const char hexd[] = "0123456789abcdef";
	size_t i, o;
	int n;

	if (outlen < DUMP_HEX_LINE)
		return 0;
	if (len > 16)
		len = 16;
	n = snprintf(out, outlen, "  %08llx  ", (unsigned long long)off);
	o = n > 0 ? (size_t)n : 0;
	for (i = 0; i < 16; i++) {
		if (i < len) {
			out[o++] = hexd[data[i] >> 4];
			out[o++] = hexd[data[i] & 15];
		} else {
			out[o++] = ' ';
			out[o++] = ' ';
		}
		out[o++] = ' ';
		if (i == 7)
			out[o++] = ' ';
	}
	out[o++] = ' ';
	out[o++] = '|';
	for (i = 0; i < len; i++)
		out[o++] =
		    data[i] >= 0x20 && data[i] < 0x7f ? (char)data[i] : '.';
	out[o++] = '|';
	out[o++] = '\n';
	return o;
}

static void
dump_write_fd(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void
dump_write(const char *p, size_t n)
{
	dump_write_fd(dump_fd != -1 ? dump_fd : log_get_fd(), p, n);
}

void
dump_set_tag(const char *tag)
{
	dump_tag = tag != NULL && *tag != '\0' ? tag : NULL;
}

void
dump_chunk(char dir, const void *data, size_t len, uint64_t from)
{
	const unsigned char *p = data;
	char out[4096];
	struct timeval tv;
	size_t o, used, i;
	int raw = dir == '>' ? dump_raw_fwd : dump_raw_back;

	if (raw != -1)
		dump_write_fd(raw, data, len);
	if (dump_modes == 0)
		return;
	gettimeofday(&tv, NULL);
	o = dump_format_header(out, sizeof(out), dir, &tv, len, from);
	if (dump_tag != NULL && o > 0 && o + strlen(dump_tag) + 3 < sizeof(out))
		o += (size_t)snprintf(
			 out + o - 1, sizeof(out) - o + 1, "  %s\n", dump_tag) -
		    1;
	dump_write(out, o);
	if (dump_modes & DUMP_TEXT) {
		for (i = 0; i < len; i += used) {
			o = dump_format_text(
			    out, sizeof(out), p + i, len - i, &used);
			dump_write(out, o);
		}
		if (len > 0 && p[len - 1] != '\n')
			dump_write("\n", 1);
	}
	if (dump_modes & DUMP_HEX) {
		o = 0;
		for (i = 0; i < len; i += 16) {
			if (o + DUMP_HEX_LINE > sizeof(out)) {
				dump_write(out, o);
				o = 0;
			}
			o += dump_format_hex(
			    out + o, sizeof(out) - o, p + i, len - i, from + i);
		}
		dump_write(out, o);
	}
}
