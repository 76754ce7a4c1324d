#pragma once

#include <stddef.h>
#include <stdint.h>

/* CRC-32 (IEEE 802.3, as zlib). Detects torn and corrupted journal records and snapshots;
 * not a defence against tampering (the state directory is root-only). */
uint32_t crc32_update(uint32_t crc, const void *data, size_t len);
static inline uint32_t crc32(const void *data, size_t len) {
        return crc32_update(0, data, len);
}
