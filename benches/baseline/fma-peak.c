/* The core's f32 fused multiply-add peak, 512-bit and 256-bit: twelve
 * independent FMA chains (enough to cover a 4-cycle latency on two pipes)
 * of each width, timed by the thread's CPU clock. Where the FMA pipes are
 * 512 bits wide (Zen 5) the first figure is twice the second; where a core
 * splits 512-bit operations in two (Zen 4) they are equal. BENCHMARKS.md,
 * "Issue 26", quotes it for the share of the peak a training step reaches.
 *
 *   gcc -O2 -mavx512f -mfma -o /tmp/fma-peak benches/baseline/fma-peak.c && /tmp/fma-peak
 */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

static double cpu_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(void) {
    const long rounds = 200000000 / 16;
    __m512 wide[12];
    __m256 narrow[12];
    __m512 x = _mm512_set1_ps(0.999f), y = _mm512_set1_ps(0.001f);
    __m256 xs = _mm256_set1_ps(0.999f), ys = _mm256_set1_ps(0.001f);
    for (int i = 0; i < 12; i++) {
        wide[i] = _mm512_set1_ps((float)i);
        narrow[i] = _mm256_set1_ps((float)i);
    }
    double t0 = cpu_seconds();
    for (long n = 0; n < rounds; n++) {
#pragma GCC unroll 12
        for (int i = 0; i < 12; i++) wide[i] = _mm512_fmadd_ps(wide[i], x, y);
    }
    double t1 = cpu_seconds();
    for (long n = 0; n < rounds; n++) {
#pragma GCC unroll 12
        for (int i = 0; i < 12; i++) narrow[i] = _mm256_fmadd_ps(narrow[i], xs, ys);
    }
    double t2 = cpu_seconds();
    /* Use the results, so that the loops are not removed. */
    float sink = 0;
    for (int i = 0; i < 12; i++) {
        float lanes[8];
        _mm256_storeu_ps(lanes, narrow[i]);
        sink += _mm512_reduce_add_ps(wide[i]) + lanes[0];
    }
    /* Two 256-bit FMAs per cycle on every core that has FMA: the clock. */
    double ns_per_fma = (t2 - t1) / rounds / 12 * 1e9;
    printf("512-bit: %.1f GFLOP/s; 256-bit: %.1f GFLOP/s; clock at two 256-bit FMAs per cycle: %.2f GHz (%g)\n",
           rounds * 12 * 32.0 / (t1 - t0) / 1e9, rounds * 12 * 16.0 / (t2 - t1) / 1e9,
           1.0 / (2.0 * ns_per_fma), sink);
    return 0;
}
