// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the same message read in memory and streamed from a file (every part walked
// from the file, as `verify --stream` and any message over 16 MiB), which must agree.
// The two paths parse independently (mime::SplitMultipart against ScanMultipart, the
// in-memory digest against the one-pass digest thread), so any difference between them is
// a parser differential: a message whose verdict depends on its size.
// Invariants: both succeed or both fail; both good or both not; the same "signed" answer,
// and the same signatures in the same order with the same status, trust, digest and
// signer; each report passes CheckReport.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.h"
#include "smime/report.h"

namespace {

using sealpost::fuzz::Check;

// The input as a file both paths can open by name (an anonymous in-memory file).
class MemoryFile {
 public:
  explicit MemoryFile(std::string_view bytes) : fd_(memfd_create("stream_verify", MFD_CLOEXEC)) {
    Check(fd_ >= 0, "memfd_create failed");
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
      Check(n > 0, "writing the memfd failed");
      done += static_cast<size_t>(n);
    }
  }
  ~MemoryFile() { ::close(fd_); }
  std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }

 private:
  int fd_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const sealpost::smime::SecureMimeContext* context =
      new sealpost::smime::SecureMimeContext(sealpost::fuzz::ReaderContext(/*with_keys=*/false));
  std::string_view message = sealpost::fuzz::AsView(data, size);
  MemoryFile file(message);
  auto in_memory = context->Read(message);
  sealpost::smime::SecureMimeContext::FileReadOptions options;
  options.force_stream = true;
  auto streamed = context->ReadMessageFile(file.path(), options);
  Check(in_memory.has_value() == streamed.has_value(), "one path read the message and the other refused it");
  if (!in_memory) return 0;
  sealpost::fuzz::CheckReport(*in_memory);
  sealpost::fuzz::CheckReport(*streamed);
  // "Good" must agree exactly. Among the not-good codes, how a broken part is classified
  // may differ: the streamed path does not decode a part it will not decrypt (a non-root
  // encrypted part is "not decrypted", where the in-memory path first finds its base64
  // "malformed"); both refuse the message.
  Check((sealpost::smime::ExitCodeFor(*in_memory, true) == 0) == (sealpost::smime::ExitCodeFor(*streamed, true) == 0),
        "one path calls the message good and the other does not");
  Check(in_memory->is_signed == streamed->is_signed, "the paths disagree on whether the message is signed");
  Check(in_memory->signatures.size() == streamed->signatures.size(), "the paths found different numbers of signatures");
  for (size_t i = 0; i < in_memory->signatures.size(); ++i) {
    const auto& a = in_memory->signatures[i];
    const auto& b = streamed->signatures[i];
    Check(a.status == b.status, "a signature's status differs between the paths");
    Check(a.trusted == b.trusted, "a signature's trust differs between the paths");
    Check(a.digest == b.digest && a.signer_email == b.signer_email, "a signature's digest or signer differs");
  }
  return 0;
}
