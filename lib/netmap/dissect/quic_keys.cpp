#include "netmap/dissect/quic_keys.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <memory>

namespace netmap::dissect {
namespace {

// RFC 9001 §5.2 and RFC 9369 §3.3.1: the version-specific initial salts.
constexpr std::array<std::uint8_t, 20> k_salt_v1 = {
    0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
    0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a};
constexpr std::array<std::uint8_t, 20> k_salt_v2 = {
    0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
    0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9};

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const noexcept { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

int as_int(std::size_t n) noexcept { return static_cast<int>(n); }

std::optional<QuicKeys> initial_keys(std::uint32_t version, std::span<const std::uint8_t> dcid,
                                     std::string_view side) noexcept {
  if (version != k_quic_v1 && version != k_quic_v2) return std::nullopt;
  const auto& salt = version == k_quic_v1 ? k_salt_v1 : k_salt_v2;
  auto initial = hkdf_extract_sha256(salt, dcid);
  if (!initial) return std::nullopt;
  std::array<std::uint8_t, 32> secret{};
  if (!hkdf_expand_label_sha256(*initial, side, secret)) return std::nullopt;
  // RFC 9369 §3.3.2: v2 renames the labels.
  bool v2 = version == k_quic_v2;
  QuicKeys k;
  if (!hkdf_expand_label_sha256(secret, v2 ? "quicv2 key" : "quic key", k.key) ||
      !hkdf_expand_label_sha256(secret, v2 ? "quicv2 iv" : "quic iv", k.iv) ||
      !hkdf_expand_label_sha256(secret, v2 ? "quicv2 hp" : "quic hp", k.hp))
    return std::nullopt;
  return k;
}

} // namespace

std::optional<std::array<std::uint8_t, 32>>
hkdf_extract_sha256(std::span<const std::uint8_t> salt, std::span<const std::uint8_t> ikm) noexcept {
  std::array<std::uint8_t, 32> prk{};
  unsigned len = 0;
  if (HMAC(EVP_sha256(), salt.data(), as_int(salt.size()), ikm.data(), ikm.size(), prk.data(),
           &len) == nullptr || len != prk.size())
    return std::nullopt;
  return prk;
}

bool hkdf_expand_label_sha256(std::span<const std::uint8_t> secret, std::string_view label,
                              std::span<std::uint8_t> out) noexcept {
  // HkdfLabel: uint16 length, opaque label<7..255> = "tls13 " + label, opaque context<0..255>.
  std::array<std::uint8_t, 2 + 1 + 255 + 1 + 1> info{};
  std::size_t full = 6 + label.size();
  if (full > 255 || out.size() > 32) return false;
  std::size_t n = 0;
  info[n++] = static_cast<std::uint8_t>(out.size() >> 8);
  info[n++] = static_cast<std::uint8_t>(out.size() & 0xff);
  info[n++] = static_cast<std::uint8_t>(full);
  for (char c : std::string_view("tls13 ")) info[n++] = static_cast<std::uint8_t>(c);
  for (char c : label) info[n++] = static_cast<std::uint8_t>(c);
  info[n++] = 0;
  info[n++] = 0x01; // HKDF-Expand's first (and, for ≤ 32 bytes, only) block counter
  std::array<std::uint8_t, 32> t{};
  unsigned len = 0;
  if (HMAC(EVP_sha256(), secret.data(), as_int(secret.size()), info.data(), n, t.data(), &len) ==
          nullptr || len != t.size())
    return false;
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = t[i];
  return true;
}

std::optional<QuicKeys> client_initial_keys(std::uint32_t version,
                                            std::span<const std::uint8_t> dcid) noexcept {
  return initial_keys(version, dcid, "client in");
}

std::optional<QuicKeys> server_initial_keys(std::uint32_t version,
                                            std::span<const std::uint8_t> dcid) noexcept {
  return initial_keys(version, dcid, "server in");
}

std::optional<std::array<std::uint8_t, 5>>
header_protection_mask(const QuicKeys& keys, std::span<const std::uint8_t> sample) noexcept {
  if (sample.size() < 16) return std::nullopt;
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_ecb(), nullptr, keys.hp.data(), nullptr) != 1)
    return std::nullopt;
  EVP_CIPHER_CTX_set_padding(ctx.get(), 0);
  std::array<std::uint8_t, 32> block{};
  int outl = 0;
  if (EVP_EncryptUpdate(ctx.get(), block.data(), &outl, sample.data(), 16) != 1 || outl != 16)
    return std::nullopt;
  return std::array<std::uint8_t, 5>{block[0], block[1], block[2], block[3], block[4]};
}

bool aead_open(const QuicKeys& keys, std::uint64_t pn, std::span<const std::uint8_t> header,
               std::span<const std::uint8_t> sealed, std::vector<std::uint8_t>& out) noexcept {
  if (sealed.size() < 16) return false;
  // RFC 9001 §5.3: the nonce is the IV XORed with the packet number, left-padded to 12 bytes.
  std::array<std::uint8_t, 12> nonce = keys.iv;
  for (std::size_t i = 0; i < 8; ++i)
    nonce[11 - i] = static_cast<std::uint8_t>(nonce[11 - i] ^ ((pn >> (8 * i)) & 0xff));
  std::size_t clen = sealed.size() - 16;
  try {
    out.resize(clen);
  } catch (...) {
    return false;
  }
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int outl = 0;
  std::array<std::uint8_t, 16> tag{};
  for (std::size_t i = 0; i < 16; ++i) tag[i] = sealed[clen + i];
  std::uint8_t dummy[16];
  return ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, nullptr, nullptr) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, 12, nullptr) == 1 &&
         EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, keys.key.data(), nonce.data()) == 1 &&
         EVP_DecryptUpdate(ctx.get(), nullptr, &outl, header.data(), as_int(header.size())) == 1 &&
         EVP_DecryptUpdate(ctx.get(), out.data(), &outl, sealed.data(), as_int(clen)) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, 16, tag.data()) == 1 &&
         EVP_DecryptFinal_ex(ctx.get(), dummy, &outl) == 1;
}

} // namespace netmap::dissect
