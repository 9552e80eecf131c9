// SPDX-License-Identifier: Apache-2.0
// Replays corpora through a fuzz target without libFuzzer (a plain main, built by the
// normal and sanitizer builds): every file under each directory is fed once to
// LLVMFuzzerTestOneInput. A target's invariant failure aborts, which fails the test.
//   fuzz_replay_<target> DIR... [--shared SUBDIR... --ext EXT,EXT]
// DIRs are the target's own corpora (must exist). --shared names folders of the shared
// testdata ($SEALPOST_TESTDATA, else --testdata DIR) read in place, only files whose
// extension is in --ext; when the testdata is absent that part is skipped, visibly.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> FilesUnder(const fs::path& dir, const std::set<std::string>& extensions) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::string ext = entry.path().extension().string();
    if (!ext.empty()) ext.erase(0, 1);
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (extensions.empty() || extensions.count(ext)) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());  // a stable order, so a failure replays the same way
  return files;
}

int Replay(const std::vector<fs::path>& files) {
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::fprintf(stderr, "replay %s (%zu bytes)\n", file.c_str(), bytes.size());
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  }
  return static_cast<int>(files.size());
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<fs::path> own;
  std::vector<std::string> shared;
  std::set<std::string> extensions;
  fs::path testdata;
  enum { kOwn, kShared } mode = kOwn;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--shared") {
      mode = kShared;
    } else if (arg == "--ext" && i + 1 < argc) {
      std::stringstream list(argv[++i]);
      for (std::string e; std::getline(list, e, ',');) extensions.insert(e);
    } else if (arg == "--testdata" && i + 1 < argc) {
      testdata = argv[++i];
    } else if (mode == kOwn) {
      own.emplace_back(arg);
    } else {
      shared.push_back(arg);
    }
  }
  if (const char* env = std::getenv("SEALPOST_TESTDATA"); env && *env) testdata = env;

  int own_count = 0;
  for (const auto& dir : own) {
    if (!fs::is_directory(dir)) {
      std::fprintf(stderr, "FAIL: the corpus %s does not exist\n", dir.c_str());
      return 1;
    }
    own_count += Replay(FilesUnder(dir, {}));
  }
  int shared_count = 0;
  if (!shared.empty()) {
    if (testdata.empty() || !fs::is_directory(testdata)) {
      std::printf("SKIP shared seeds: no testdata at '%s' (set SEALPOST_TESTDATA); only our own corpus ran\n",
                  testdata.c_str());
    } else {
      for (const auto& sub : shared) {
        fs::path dir = testdata / sub;
        if (!fs::is_directory(dir)) {
          std::printf("SKIP shared seeds: %s absent\n", dir.c_str());
          continue;
        }
        shared_count += Replay(FilesUnder(dir, extensions));
      }
    }
  }
  std::printf("replayed %d own and %d shared inputs\n", own_count, shared_count);
  if (own_count == 0) {
    std::fprintf(stderr, "FAIL: the target's own corpus is empty\n");
    return 1;
  }
  return 0;
}
