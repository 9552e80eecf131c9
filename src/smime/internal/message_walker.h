// SPDX-License-Identifier: Apache-2.0
// MessageWalker: unwraps a message layer by layer (RFC 8551 §3.7), verifying and decrypting
// on the way, and records one verdict per layer and per signer. Only layers on the root
// chain (each the whole content of the one above) cover the whole message (RFC 9787).
#pragma once

#include <ctime>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cms/envelope.h"
#include "cms/signed_data.h"
#include "core/result.h"
#include "mime/entity.h"
#include "pki/trust_store.h"
#include "policy/algorithm_policy.h"
#include "smime/context.h"
#include "smime/internal/stream_message.h"
#include "smime/report.h"
#include "smime/signer_trust_cache.h"

namespace sealpost::smime::internal {

class MessageWalker final {
 public:
  using KeyLoader = std::function<Result<std::vector<cms::Identity>>()>;

  // `load_keys` is called at most once, when the first encrypted layer is met.
  MessageWalker(KeyLoader load_keys, const pki::TrustStore& trust, const policy::AlgorithmPolicy& policy,
                std::time_t at)
      : load_keys_(std::move(load_keys)), trust_(trust), policy_(policy), at_(at) {}

  void SetRevocation(RevocationSource* source, bool hard_fail) {
    revocation_ = source;
    revocation_hard_fail_ = hard_fail;
  }

  // Signer trust decisions come from (and go to) `cache` when set.
  void SetTrustCache(SignerTrustCache* cache) { trust_cache_ = cache; }
  // Certificates carried in messages are parsed through `cache` when set.
  void SetCertificateCache(pki::CertificateCache* cache) { certificate_cache_ = cache; }
  // Signature checks reuse verification contexts from `cache` when set.
  void SetSignerKeyCache(cms::SignerKeyCache* cache) { signer_key_cache_ = cache; }
  void SetWantContent(bool want) { want_content_ = want; }
  void SetWantSenderPreferences(bool want) { want_sender_preferences_ = want; }

  // Examines `message`; with `detached_content`, `message` is a bare detached signature.
  Result<Report> Walk(std::string_view message, std::optional<std::string_view> detached_content);
  // The same for a message file too large to hold (message_walker_stream.cpp): the root
  // chain is walked from the file, decrypted layers going to anonymous scratch files; parts
  // small enough (kInMemoryPartLimit) are walked in memory as Walk does.
  Result<Report> WalkFile(const Blob& file);
  // Parts up to this size are read into memory by WalkFile (0: stream everything).
  void SetInMemoryPartLimit(uint64_t bytes) { in_memory_part_limit_ = bytes; }

 private:
  struct Position {
    bool on_root_chain;
    std::string part;
    int mime_depth;
    int crypto_depth;
  };

  Status Visit(std::string_view entity_bytes, const Position& pos);
  Status VisitBlob(const Blob& entity, const Position& pos);
  // Reads `entity` from its file and walks it as Walk does (the bytes live in buffers_).
  Status VisitBlobInMemory(const Blob& entity, const Position& pos);
  Status VisitBlobMultipartSigned(const Blob& body, const std::string& boundary, const std::string& micalg,
                                  const Position& pos);
  Status VisitBlobCms(const Blob& entity, const Blob& body, bool base64, const Position& pos);
  void BindSender(const mime::Entity& top);
  void FinishReport();
  void RecordSignedData(LayerVerdict layer, cms::SignedDataResult& result, bool detached, bool on_root_chain);
  Status VisitMultipartSigned(const mime::Entity& entity, const std::string& boundary, const Position& pos);
  Status VisitCms(std::string der, const Position& pos, std::string_view form_hint);
  Status VisitSignedData(std::string_view der, std::optional<std::string_view> content, const Position& pos,
                         std::string form);
  Status VisitEnveloped(std::string_view der, const Position& pos);
  // Fills `layer` from the envelope header and applies the depth and EFAIL rules; false when
  // the layer is already recorded and nothing is to be decrypted (both walkers).
  bool OpenEnvelopeLayer(std::string_view header_der, const Position& pos, LayerVerdict& layer);
  void RecordDecrypted(LayerVerdict layer);
  SignerTrust CheckSignerTrust(const pki::Certificate& signer, const std::vector<pki::Certificate>& bag) const;
  void AddSignatures(const cms::SignedDataResult& result, size_t layer_index, bool covers_whole);
  size_t AddLayer(LayerVerdict layer);
  void RecordLayerError(LayerVerdict layer, const Error& error);
  void SetContent(std::string_view entity_bytes);
  void UseProtectedHeaders(std::string_view signed_entity, const Position& pos);

  Result<const std::vector<cms::Identity>*> Keys();

  KeyLoader load_keys_;
  std::optional<std::vector<cms::Identity>> keys_;
  const pki::TrustStore& trust_;
  const policy::AlgorithmPolicy& policy_;
  std::time_t at_;

  RevocationSource* revocation_ = nullptr;
  bool revocation_hard_fail_ = false;
  SignerTrustCache* trust_cache_ = nullptr;
  pki::CertificateCache* certificate_cache_ = nullptr;
  cms::SignerKeyCache* signer_key_cache_ = nullptr;
  bool want_content_ = true;
  bool want_sender_preferences_ = true;
  Report report_;
  std::vector<std::string> from_addresses_;  // addr-specs of the root From field(s)
  bool protected_headers_seen_ = false;      // RFC 9788 headers inside the signed entity
  std::deque<std::string> buffers_;          // owns decoded/decrypted bytes walked into
  std::deque<ScratchFile> scratch_;
  uint64_t in_memory_part_limit_ = 16ull << 20;          // decrypted layers of a streamed message
  bool content_set_ = false;
  std::size_t parts_seen_ = 0;               // multipart children, against mime::kMaxMimeParts
};

}  // namespace sealpost::smime::internal
