/* The C peers: N-body RK2 (the whole simulation) and pairwise distances, built with
 * `gcc -O3 -march=native` (GNU C then contracts a*b+c into fused multiply-adds) and again with
 * `-ffp-contract=off` (the same IEEE operations as the Python code, bit for bit).
 *
 *   peers_c nbody IN_PREFIX FRAMES STEPS_PER_FRAME RUNS WARMUP OUT.npy
 *   peers_c pairwise IN.npy RUNS WARMUP OUT.npy
 *
 * Inputs and outputs are little-endian float64 C-order .npy files. Prints one JSON line with
 * the timed runs (CLOCK_MONOTONIC, warm-up excluded). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void die(const char *what, const char *detail) {
    fprintf(stderr, "peers_c: %s: %s\n", what, detail);
    exit(2);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Reads a float64 C-order .npy file of rank <= 3; shape[] gets the extents (1 for missing). */
static double *read_npy(const char *path, long shape[3]) {
    FILE *f = fopen(path, "rb");
    if (!f) die("cannot open", path);
    unsigned char pre[10];
    if (fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6) != 0) die("not a .npy file", path);
    long header_len;
    if (pre[6] == 1) {
        header_len = pre[8] | (pre[9] << 8);
    } else {
        unsigned char more[2];
        if (fread(more, 1, 2, f) != 2) die("truncated header", path);
        header_len = pre[8] | (pre[9] << 8) | ((long)more[0] << 16) | ((long)more[1] << 24);
    }
    char *header = calloc((size_t)header_len + 1, 1);
    if (fread(header, 1, (size_t)header_len, f) != (size_t)header_len) die("truncated header", path);
    if (!strstr(header, "'<f8'") || strstr(header, "'fortran_order': True")) die("need <f8 in C order", path);
    char *s = strstr(header, "'shape': (");
    if (!s) die("no shape", path);
    s += strlen("'shape': (");
    long count = 1;
    for (int d = 0; d < 3; d++) {
        shape[d] = 1;
        while (*s == ' ' || *s == ',') s++;
        if (*s >= '0' && *s <= '9') {
            shape[d] = strtol(s, &s, 10);
            count *= shape[d];
        }
    }
    free(header);
    double *data = malloc((size_t)count * sizeof(double));
    if (fread(data, sizeof(double), (size_t)count, f) != (size_t)count) die("truncated data", path);
    fclose(f);
    return data;
}

static void write_npy(const char *path, const double *data, int rank, const long *shape) {
    char dims[128] = "";
    long count = 1;
    for (int d = 0; d < rank; d++) {
        char part[32];
        snprintf(part, sizeof part, "%ld,%s", shape[d], (rank > 1 && d + 1 < rank) ? " " : "");
        strcat(dims, part);
        count *= shape[d];
    }
    if (rank > 1) dims[strlen(dims) - 1] = '\0'; /* numpy writes (a, b) but (a,) */
    char header[256];
    int len = snprintf(header, sizeof header, "{'descr': '<f8', 'fortran_order': False, 'shape': (%s), }", dims);
    int total = 10 + len + 1;
    int pad = (64 - total % 64) % 64;
    FILE *f = fopen(path, "wb");
    if (!f) die("cannot write", path);
    unsigned short header_len = (unsigned short)(len + pad + 1);
    fwrite("\x93NUMPY\x01\x00", 1, 8, f);
    fputc(header_len & 0xff, f);
    fputc(header_len >> 8, f);
    fwrite(header, 1, (size_t)len, f);
    for (int i = 0; i < pad; i++) fputc(' ', f);
    fputc('\n', f);
    fwrite(data, sizeof(double), (size_t)count, f);
    fclose(f);
}

static void derivatives(long n, const double *pos, const double *vel, const double *mass, double *dpos,
                        double *dvel) {
    for (long i = 0; i < n; i++) {
        double ax = 0.0, ay = 0.0, az = 0.0;
        for (long j = 0; j < n; j++) {
            if (j != i) {
                double rx = pos[3 * j] - pos[3 * i];
                double ry = pos[3 * j + 1] - pos[3 * i + 1];
                double rz = pos[3 * j + 2] - pos[3 * i + 2];
                double rnorm = sqrt(rx * rx + ry * ry + rz * rz);
                double scale = mass[j] / (rnorm * rnorm);
                ax += scale * (rx / rnorm);
                ay += scale * (ry / rnorm);
                az += scale * (rz / rnorm);
            }
        }
        dpos[3 * i] = vel[3 * i];
        dpos[3 * i + 1] = vel[3 * i + 1];
        dpos[3 * i + 2] = vel[3 * i + 2];
        dvel[3 * i] = ax;
        dvel[3 * i + 1] = ay;
        dvel[3 * i + 2] = az;
    }
}

/* out: (frames + 1) × n × 3; work: 6 × n × 3 scratch. */
static void simulate(long n, const double *pos0, const double *vel0, const double *mass, double dt,
                     long steps_per_frame, long frames, double *out, double *work) {
    long m = 3 * n;
    double *pos = work, *vel = work + m, *pos_half = work + 2 * m, *vel_half = work + 3 * m;
    double *dpos = work + 4 * m, *dvel = work + 5 * m;
    double half = dt / 2;
    memcpy(pos, pos0, (size_t)m * sizeof(double));
    memcpy(vel, vel0, (size_t)m * sizeof(double));
    memcpy(out, pos0, (size_t)m * sizeof(double));
    for (long frame = 1; frame <= frames; frame++) {
        for (long step = 0; step < steps_per_frame; step++) {
            derivatives(n, pos, vel, mass, dpos, dvel);
            for (long k = 0; k < m; k++) {
                pos_half[k] = pos[k] + half * dpos[k];
                vel_half[k] = vel[k] + half * dvel[k];
            }
            derivatives(n, pos_half, vel_half, mass, dpos, dvel);
            for (long k = 0; k < m; k++) {
                pos[k] = pos[k] + dt * dpos[k];
                vel[k] = vel[k] + dt * dvel[k];
            }
        }
        memcpy(out + frame * m, pos, (size_t)m * sizeof(double));
    }
}

static void pairwise(long rows, long dims, const double *x, double *d) {
    for (long i = 0; i < rows; i++) {
        for (long j = 0; j < rows; j++) {
            double sum = 0.0;
            for (long k = 0; k < dims; k++) {
                double diff = x[i * dims + k] - x[j * dims + k];
                sum += diff * diff;
            }
            d[i * rows + j] = sqrt(sum);
        }
    }
}

static void print_times(const double *times, long runs) {
    printf("{\"times\": [");
    for (long r = 0; r < runs; r++) printf("%s%.9e", r ? ", " : "", times[r]);
    printf("]}\n");
}

static int run_nbody(char **argv) {
    char path[4096];
    long shape[3], mshape[3];
    snprintf(path, sizeof path, "%s_pos.npy", argv[2]);
    double *pos0 = read_npy(path, shape);
    snprintf(path, sizeof path, "%s_vel.npy", argv[2]);
    double *vel0 = read_npy(path, shape);
    snprintf(path, sizeof path, "%s_mass.npy", argv[2]);
    double *mass = read_npy(path, mshape);
    long n = shape[0], frames = atol(argv[3]), steps = atol(argv[4]);
    long runs = atol(argv[5]), warmup = atol(argv[6]);
    double *out = malloc((size_t)((frames + 1) * n * 3) * sizeof(double));
    double *work = malloc((size_t)(6 * n * 3) * sizeof(double));
    double *times = malloc((size_t)runs * sizeof(double));
    for (long r = 0; r < warmup; r++) simulate(n, pos0, vel0, mass, 0.001, steps, frames, out, work);
    for (long r = 0; r < runs; r++) {
        double start = now();
        simulate(n, pos0, vel0, mass, 0.001, steps, frames, out, work);
        times[r] = now() - start;
    }
    long out_shape[3] = {frames + 1, n, 3};
    write_npy(argv[7], out, 3, out_shape);
    print_times(times, runs);
    return 0;
}

static int run_pairwise(char **argv) {
    long shape[3];
    double *x = read_npy(argv[2], shape);
    long rows = shape[0], dims = shape[1], runs = atol(argv[3]), warmup = atol(argv[4]);
    double *d = malloc((size_t)(rows * rows) * sizeof(double));
    double *times = malloc((size_t)runs * sizeof(double));
    for (long r = 0; r < warmup; r++) pairwise(rows, dims, x, d);
    for (long r = 0; r < runs; r++) {
        double start = now();
        pairwise(rows, dims, x, d);
        times[r] = now() - start;
    }
    long out_shape[2] = {rows, rows};
    write_npy(argv[5], d, 2, out_shape);
    print_times(times, runs);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 8 && strcmp(argv[1], "nbody") == 0) return run_nbody(argv);
    if (argc == 6 && strcmp(argv[1], "pairwise") == 0) return run_pairwise(argv);
    fprintf(stderr, "usage: peers_c nbody IN_PREFIX FRAMES STEPS RUNS WARMUP OUT.npy\n"
                    "       peers_c pairwise IN.npy RUNS WARMUP OUT.npy\n");
    return 2;
}
