#include "quic_builder.hpp"

#include "netmap/dissect/quic_keys.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

namespace netmap::testgen {
namespace {

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const noexcept { EVP_CIPHER_CTX_free(c); }
};

Bytes seal(const dissect::QuicKeys& k, std::uint64_t pn, const Bytes& aad, const Bytes& plain) {
  std::array<std::uint8_t, 12> nonce = k.iv;
  for (std::size_t i = 0; i < 8; ++i)
    nonce[11 - i] = static_cast<std::uint8_t>(nonce[11 - i] ^ ((pn >> (8 * i)) & 0xff));
  std::unique_ptr<EVP_CIPHER_CTX, CtxFree> ctx(EVP_CIPHER_CTX_new());
  Bytes out(plain.size() + 16);
  int n = 0;
  bool ok = ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, 12, nullptr) == 1 &&
            EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, k.key.data(), nonce.data()) == 1 &&
            EVP_EncryptUpdate(ctx.get(), nullptr, &n, aad.data(), static_cast<int>(aad.size())) == 1 &&
            EVP_EncryptUpdate(ctx.get(), out.data(), &n, plain.data(), static_cast<int>(plain.size())) == 1 &&
            EVP_EncryptFinal_ex(ctx.get(), out.data() + plain.size(), &n) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16, out.data() + plain.size()) == 1;
  if (!ok) throw std::runtime_error("AES-128-GCM failed");
  return out;
}

std::uint8_t initial_type(std::uint32_t version) { return version == dissect::k_quic_v2 ? 1 : 0; }

Bytes long_header(std::uint32_t version, const Bytes& dcid, const Bytes& scid, std::size_t payload_len,
                  std::uint64_t pn) {
  Bytes h;
  h.push_back(static_cast<std::uint8_t>(0xc0 | initial_type(version) << 4 | 0x03)); // 4-byte pn
  put32(h, version);
  h.push_back(static_cast<std::uint8_t>(dcid.size()));
  append(h, dcid);
  h.push_back(static_cast<std::uint8_t>(scid.size()));
  append(h, scid);
  put_varint(h, 0); // no token
  std::uint64_t length = 4 + payload_len + 16;
  h.push_back(static_cast<std::uint8_t>(0x40 | (length >> 8))); // always the 2-byte form
  h.push_back(static_cast<std::uint8_t>(length & 0xff));
  put32(h, static_cast<std::uint32_t>(pn));
  return h;
}

} // namespace

void put_varint(Bytes& b, std::uint64_t v) {
  if (v < 64) b.push_back(static_cast<std::uint8_t>(v));
  else if (v < 16384) put16(b, 0x4000u | static_cast<std::uint32_t>(v));
  else if (v < (1u << 30)) put32(b, 0x80000000u | static_cast<std::uint32_t>(v));
  else throw std::invalid_argument("varint too large for the generator");
}

Bytes protect_initial(std::uint32_t version, const Bytes& dcid, const Bytes& header,
                      std::size_t pn_len, std::uint64_t pn, const Bytes& payload) {
  auto keys = dissect::client_initial_keys(version, dcid);
  if (!keys) throw std::runtime_error("unsupported QUIC version");
  Bytes sealed = seal(*keys, pn, header, payload);
  // RFC 9001 §5.4.2: sample the ciphertext 4 bytes after the start of the packet number.
  std::size_t pn_offset = header.size() - pn_len;
  std::size_t sample_at = 4 - pn_len;
  if (sealed.size() < sample_at + 16) throw std::invalid_argument("payload too short to sample");
  auto mask = dissect::header_protection_mask(*keys, std::span(sealed).subspan(sample_at, 16));
  if (!mask) throw std::runtime_error("AES-128-ECB failed");
  Bytes out = header;
  out[0] = static_cast<std::uint8_t>(out[0] ^ ((*mask)[0] & 0x0f));
  for (std::size_t i = 0; i < pn_len; ++i)
    out[pn_offset + i] = static_cast<std::uint8_t>(out[pn_offset + i] ^ (*mask)[1 + i]);
  append(out, sealed);
  return out;
}

std::vector<Bytes> quic_client_initials(const Bytes& hello, const QuicOptions& o) {
  struct Piece { std::size_t offset, len; };
  std::vector<Piece> pieces;
  for (std::size_t off = 0; off < hello.size(); off += o.crypto_per_packet)
    pieces.push_back({off, std::min(o.crypto_per_packet, hello.size() - off)});
  if (o.reverse) std::reverse(pieces.begin(), pieces.end());
  std::vector<Bytes> datagrams;
  Bytes pending;
  std::uint64_t pn = 0;
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    Bytes frames;
    frames.push_back(0x06);
    put_varint(frames, pieces[i].offset);
    put_varint(frames, pieces[i].len);
    frames.insert(frames.end(), hello.begin() + static_cast<std::ptrdiff_t>(pieces[i].offset),
                  hello.begin() + static_cast<std::ptrdiff_t>(pieces[i].offset + pieces[i].len));
    if (pn > 0) { frames.push_back(0x02); put_varint(frames, 0); put_varint(frames, 0); put_varint(frames, 0); put_varint(frames, 0); }
    Bytes dcid = o.dcid;
    if (o.switch_dcid && i > 0) dcid = Bytes{0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02, 0x03};
    bool last_in_datagram = !o.coalesce || i + 1 == pieces.size();
    if (last_in_datagram) { // PADDING so the datagram reaches 1200 bytes (RFC 9000 §14.1)
      std::size_t overhead = 1 + 4 + 1 + dcid.size() + 1 + o.scid.size() + 1 + 2 + 4 + 16;
      std::size_t total = pending.size() + overhead + frames.size();
      if (total < 1200) frames.resize(frames.size() + (1200 - total), 0);
    }
    Bytes header = long_header(o.version, dcid, o.scid, frames.size(), pn);
    // Keys always come from the first DCID, as a client keeps them (RFC 9001 §5.2).
    Bytes packet = protect_initial(o.version, o.dcid, header, 4, pn, frames);
    ++pn;
    append(pending, packet);
    if (last_in_datagram) {
      datagrams.push_back(std::move(pending));
      pending.clear();
    }
  }
  return datagrams;
}

} // namespace netmap::testgen
