// SPDX-License-Identifier: Apache-2.0
// GMime (with GObject and GLib), loaded on first use (see core/shared_library.h for why).
// GMime and the ten libraries it brings (GIO, libmount, gpgme, ...) cost a millisecond of
// every process's start-up, while a bulk verification run never calls GMime: the fast
// paths of mime/internal/simple_syntax.h and simple_address.h read plain mail directly.
// Calls go through GMime().<function>, typed by <gmime/gmime.h>. GMime's IS_/cast macros
// call the libraries directly, so type checks use IsA() and casts are plain.
#pragma once

#include <gmime/gmime.h>

namespace sealpost::mime::internal {

#define SEALPOST_GMIME_FUNCTIONS(X)                                                                                 \
  X(g_mime_init) X(g_object_ref) X(g_object_unref) X(g_free) X(g_ascii_strcasecmp) X(g_type_check_instance_is_a)    \
  X(g_mime_content_type_get_media_subtype) X(g_mime_content_type_get_media_type) X(g_mime_content_type_get_parameters) \
  X(g_mime_content_type_parse) X(g_mime_data_wrapper_write_to_stream) X(g_mime_format_options_free)                 \
  X(g_mime_format_options_new) X(g_mime_format_options_set_newline_format) X(g_mime_multipart_get_count)            \
  X(g_mime_multipart_get_part) X(g_mime_object_encode) X(g_mime_object_get_content_type)                            \
  X(g_mime_object_get_disposition) X(g_mime_object_to_string) X(g_mime_param_get_name) X(g_mime_param_get_value)    \
  X(g_mime_param_list_get_parameter_at) X(g_mime_param_list_length) X(g_mime_parser_construct_part)                 \
  X(g_mime_parser_new_with_stream) X(g_mime_part_get_content) X(g_mime_part_get_filename)                          \
  X(g_mime_stream_mem_new_with_buffer) X(g_mime_stream_null_new) X(g_mime_text_part_get_text)                      \
  X(internet_address_get_name) X(internet_address_group_get_members) X(internet_address_list_get_address)          \
  X(internet_address_list_length) X(internet_address_list_parse) X(internet_address_mailbox_get_addr)              \
  X(g_mime_multipart_get_type) X(g_mime_part_get_type) X(g_mime_message_part_get_type) X(g_mime_text_part_get_type) \
  X(internet_address_group_get_type) X(internet_address_mailbox_get_type)

struct GMimeApi {
#define SEALPOST_GMIME_MEMBER(name) decltype(&::name) name = nullptr;
  SEALPOST_GMIME_FUNCTIONS(SEALPOST_GMIME_MEMBER)
#undef SEALPOST_GMIME_MEMBER
};

// Loads GMime and runs g_mime_init, once per process (thread-safe). GMime is a dependency
// of the package: failing to load it aborts with dlerror's text.
const GMimeApi& GMime();

// Whether `object` (null allowed) is an instance of `type`, as GMime's IS_ macros test.
inline bool IsA(const void* object, GType type) {
  return object && GMime().g_type_check_instance_is_a(static_cast<GTypeInstance*>(const_cast<void*>(object)), type);
}

}  // namespace sealpost::mime::internal
