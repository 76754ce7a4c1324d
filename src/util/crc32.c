#include "crc32.h"

uint32_t crc32_update(uint32_t crc, const void *data, size_t len) {
        const unsigned char *p = data;

        crc = ~crc;
        while (len--) {
                crc ^= *p++;
                for (int k = 0; k < 8; k++)
                        crc = (crc >> 1) ^ (0xEDB88320U & (0U - (crc & 1U)));
        }
        return ~crc;
}
