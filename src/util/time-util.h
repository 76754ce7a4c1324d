#pragma once

#include <stdint.h>
#include <time.h>

#define USEC_PER_MSEC 1000ULL
#define USEC_PER_SEC 1000000ULL

uint64_t now_usec(clockid_t clock);
