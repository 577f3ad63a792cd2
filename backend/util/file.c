/* file.c - reading whole files into memory with a size limit (file.h). */
#include "util/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int file_read_all(const char *path, size_t max_bytes, char **out, size_t *out_len, err_t *e)
{
    int fd = -1, rc = 0;
    struct stat st;
    char *buf = NULL;
    size_t len = 0, size, cap;

    *out = NULL;
    *out_len = 0;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rc = err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
        goto cleanup;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = err_set(e, ERR_IO, "%s: not a regular file", path);
        goto cleanup;
    }
    if (st.st_size < 0 || (unsigned long long)st.st_size > (unsigned long long)max_bytes) {
        rc = err_set(e, ERR_LIMIT, "%lld bytes, over the limit of %zu bytes", (long long)st.st_size,
                     max_bytes);
        goto cleanup;
    }
    size = (size_t)st.st_size;
    /* the size fstat gave, plus one byte to notice a file that grows while it is read */
    cap = size + 1;
    buf = malloc(cap + 1);
    if (!buf) {
        rc = err_set(e, ERR_NOMEM, "%s: out of memory", path);
        goto cleanup;
    }
    while (len < cap) {
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            rc = err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
            goto cleanup;
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    if (len > size) {
        rc = err_set(e, ERR_IO, "%s: the file grew while it was read", path);
        goto cleanup;
    }
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    buf = NULL;
cleanup:
    free(buf);
    if (fd >= 0)
        close(fd);
    return rc;
}
