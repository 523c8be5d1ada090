/* Vector kernels and their scalar twins (vector_kernels.c). */
#ifndef VECTOR_BENCH_H
#define VECTOR_BENCH_H
#include <stdint.h>
#include <stddef.h>

#define EXIT_VECTOR_BASE 60   /* + kernel: vector result != scalar twin (0 memcpy, 1 strlen,
                                 2 saxpy, 3 dot, 4 matmul, 5 reduce); 67: a later iteration
                                 gave a different checksum */

void s_memcpy(uint8_t *d, const uint8_t *s, size_t n);
size_t s_strlen(const uint8_t *s);
void s_saxpy(size_t n, float a, const float *x, float *y);
int64_t s_dot(size_t n, const int32_t *a, const int32_t *b);
void s_matmul(size_t n, const double *A, const double *B, double *C);
void s_reduce(size_t n, const int32_t *x, int64_t *sum, int32_t *max);

void v_memcpy(uint8_t *d, const uint8_t *s, size_t n);
size_t v_strlen(const uint8_t *s);
void v_saxpy(size_t n, float a, const float *x, float *y);
int64_t v_dot(size_t n, const int32_t *a, const int32_t *b);
void v_matmul(size_t n, const double *A, const double *B, double *C);
void v_reduce(size_t n, const int32_t *x, int64_t *sum, int32_t *max);
#endif
