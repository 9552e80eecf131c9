// SPDX-License-Identifier: Apache-2.0
// Contacts as <fingerprint>.pem + <fingerprint>.json in the profile's contacts folder.
#include "directory/contacts_store.h"

#include <sys/stat.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/file_io.h"

namespace sealpost::directory {
namespace fs = std::filesystem;
namespace {

// The metadata file beside a contact's certificate; `found` is false when it is missing or
// unreadable (a contact added before there was metadata reads as "manual").
struct ContactMeta {
  bool found = false;
  std::string source = "manual";
  std::vector<std::string> capabilities;
  std::time_t added = 0;
};

ContactMeta ReadMeta(const fs::path& json_path) {
  ContactMeta out;
  auto text = ReadFile(json_path.string());
  if (!text) return out;
  auto meta = nlohmann::json::parse(*text, nullptr, false);
  if (!meta.is_object()) return out;
  out.found = true;
  out.source = meta.value("source", out.source);
  out.added = meta.value("added", static_cast<std::time_t>(0));
  if (meta.contains("capabilities") && meta["capabilities"].is_array())
    for (const auto& cap : meta["capabilities"])
      if (cap.is_string()) out.capabilities.push_back(cap.get<std::string>());
  return out;
}

}  // namespace

Status ContactsStore::Add(const pki::Certificate& cert, const std::string& source,
                          const std::vector<std::string>& capabilities) {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) return Error(ErrorCode::kIo, "cannot create " + dir_ + ": " + ec.message());
  ::chmod(dir_.c_str(), 0700);
  std::string fp = cert.Sha256Fingerprint();
  nlohmann::json meta = {{"source", source}, {"capabilities", capabilities}, {"added", std::time(nullptr)}};
  // The certificate last, so a reader never finds a certificate without its metadata.
  RETURN_IF_ERROR(WriteFileAtomically((fs::path(dir_) / (fp + ".json")).string(), meta.dump() + "\n", 0644));
  return WriteFileAtomically((fs::path(dir_) / (fp + ".pem")).string(), cert.ToPem(), 0644);
}

Status ContactsStore::Harvest(const pki::Certificate& cert, const std::vector<std::string>& capabilities) {
  const fs::path base = fs::path(dir_) / cert.Sha256Fingerprint();
  std::error_code ec;
  if (!fs::exists(fs::path(base).replace_extension(".pem"), ec)) return Add(cert, "harvested", capabilities);
  const ContactMeta known = ReadMeta(fs::path(base).replace_extension(".json"));
  if (known.found && known.capabilities == capabilities) return Ok();
  return Add(cert, known.found ? known.source : "harvested", capabilities);
}

Result<std::vector<Contact>> ContactsStore::List() const {
  std::vector<Contact> out;
  std::error_code ec;
  if (!fs::exists(dir_, ec)) return out;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    if (entry.path().extension() != ".pem") continue;
    ASSIGN_OR_RETURN(std::string pem, ReadFile(entry.path().string()));
    auto cert = pki::Certificate::Parse(pem);
    if (!cert) continue;  // a damaged file is skipped, not fatal to every lookup
    fs::path meta_path = entry.path();
    ContactMeta meta = ReadMeta(meta_path.replace_extension(".json"));
    out.push_back(Contact{std::move(cert).value(), std::move(meta.source), std::move(meta.capabilities), meta.added});
  }
  if (ec) return Error(ErrorCode::kIo, "cannot list " + dir_ + ": " + ec.message());
  return out;
}

Result<std::vector<Contact>> ContactsStore::ForAddress(const std::string& address) const {
  ASSIGN_OR_RETURN(std::vector<Contact> all, List());
  std::vector<Contact> out;
  for (auto& c : all) {
    if (c.certificate.HasEmail(address)) out.push_back(std::move(c));
  }
  return out;
}

Status ContactsStore::Remove(const std::string& fingerprint_prefix) {
  if (fingerprint_prefix.size() < 8) return Error(ErrorCode::kInvalidArgument, "give at least 8 hex digits of the fingerprint (see 'sealpost contacts list')");
  ASSIGN_OR_RETURN(std::vector<Contact> all, List());
  int removed = 0;
  for (const auto& c : all) {
    std::string fp = c.certificate.Sha256Fingerprint();
    if (fp.rfind(fingerprint_prefix, 0) != 0) continue;
    std::error_code ec;
    fs::remove(fs::path(dir_) / (fp + ".pem"), ec);
    fs::remove(fs::path(dir_) / (fp + ".json"), ec);
    ++removed;
  }
  if (removed == 0) return Error(ErrorCode::kNotFound, "no contact certificate with fingerprint " + fingerprint_prefix);
  return Ok();
}

}  // namespace sealpost::directory
