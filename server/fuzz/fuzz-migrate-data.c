/* libFuzzer target: a seamless migration target's checks of what the
 * client relays in the main channel's migration data (sso-delivery.c): the
 * agent write data (sso_restored_agent_data_ok) and, from the input's first
 * 23 bytes, the agent read state (sso_restored_agent_read_state_ok). Data
 * found clean has no server-port chunk with data at any offset the agent's
 * first chunk boundary may be at; a state found good can be copied from. */
#include "sso-delivery.h"
#include "vdsso-private.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define STATE_BYTES 23u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *why = NULL;

    if (sso_restored_agent_data_ok(data, size, &why)) {
        if (why != NULL) {
            abort();
        }
        for (size_t off = 0; off + VDSSO_CHUNK_HEADER <= size &&
                             off <= VDSSO_CHUNK_HEADER + VDSSO_CHUNK_MAX; off++) {
            uint32_t size_field = vdsso_get_le32(data + off + 4);
            if (vdsso_get_le32(data + off) == VDSSO_PORT_SERVER && size_field > 0 &&
                size_field <= VDSSO_CHUNK_MAX) {
                abort(); /* the agent would take a server-port chunk here */
            }
        }
    } else if (why == NULL) {
        abort();
    }

    if (size < STATE_BYTES) {
        return 0;
    }
    SsoRestoredReadState st = {
        .chunk_header_size = vdsso_get_le32(data),
        .msg_header_done = data[4] & 1,
        .msg_header_partial_len = vdsso_get_le32(data + 5),
        .msg_header_start = (uint64_t)vdsso_get_le32(data + 9) + 2,
        .size = vdsso_get_le32(data + 13) % (64u * 1024u),
        .read_filter_result = data[17],
        .write_filter_result = data[18],
        .max_filter_result = 3,
    };
    if (sso_restored_agent_read_state_ok(&st, &why)) {
        if (st.chunk_header_size > VDSSO_CHUNK_HEADER || st.read_filter_result > 3 ||
            st.write_filter_result > 3) {
            abort();
        }
        if (!st.msg_header_done && (st.msg_header_partial_len >= VDSSO_MSG_HEADER ||
                                    st.msg_header_start + st.msg_header_partial_len > st.size)) {
            abort();
        }
    } else if (why == NULL) {
        abort();
    }
    return 0;
}
