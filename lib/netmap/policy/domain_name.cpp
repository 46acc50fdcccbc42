#include "netmap/policy/domain_name.hpp"

#include "netmap/base/text.hpp"

#include <arpa/inet.h>
#include <idn2.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

namespace netmap::policy {

namespace {

using base::Result;

bool is_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

bool ldh_char(char c) {
  // Underscore is not LDH, but real service names (_dmarc, _acme-challenge) carry it.
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

Result<std::string> to_alabels(std::string_view text) {
  if (is_ascii(text)) return base::ascii_lower(text);
  std::string input(text);
  char* out = nullptr;
  int rc = idn2_to_ascii_8z(input.c_str(), &out, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
  std::unique_ptr<char, decltype(&idn2_free)> holder(out, idn2_free);
  if (rc != IDN2_OK || out == nullptr)
    return Result<std::string>::failure(std::string("not a valid internationalized name (") +
                                        idn2_strerror(rc) + ")");
  return base::ascii_lower(out);
}

// An "xn--" label claims to be Punycode for a Unicode label (RFC 5890 §2.3.2.1); one that does not
// decode, or decodes to a label IDNA2008 refuses, is no name any resolver or proxy will agree on.
// Decoding alone is lenient: only a label that encodes back to itself is a valid A-label. No
// allocation of ours (libidn2 mallocs), so the noexcept fast path can call it too.
int alabel_status(std::string_view label) noexcept {
  char in[64];
  if (label.size() >= sizeof in) return IDN2_TOO_BIG_LABEL;
  label.copy(in, label.size());
  in[label.size()] = '\0';
  char* ulabel = nullptr;
  int rc = idn2_to_unicode_8z8z(in, &ulabel, 0);
  std::unique_ptr<char, decltype(&idn2_free)> u(ulabel, idn2_free);
  if (rc != IDN2_OK || ulabel == nullptr) return rc != IDN2_OK ? rc : IDN2_ENCODING_ERROR;
  char* back = nullptr;
  rc = idn2_to_ascii_8z(ulabel, &back, IDN2_NONTRANSITIONAL);
  std::unique_ptr<char, decltype(&idn2_free)> b(back, idn2_free);
  if (rc != IDN2_OK || back == nullptr) return rc != IDN2_OK ? rc : IDN2_ENCODING_ERROR;
  return std::string_view(back) == label ? IDN2_OK : IDN2_ENCODING_ERROR;
}

// A last label that resolvers read as a number: digits (decimal or octal), or 0x and hex digits.
// inet_aton, and so getaddrinfo, curl and every libc client, takes a name ending in one as an
// IPv4 address in another spelling ("0x7f.0x1", "0x7f000001", "127.1"): never a host name, and
// no top-level domain is one.
[[gnu::noinline, gnu::cold]] bool numeric_label(std::string_view label) noexcept {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  auto hex = [digit](char c) { return digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); };
  if (label.size() > 2 && label[0] == '0' && (label[1] == 'x' || label[1] == 'X'))
    return std::all_of(label.begin() + 2, label.end(), hex);
  return !label.empty() && std::all_of(label.begin(), label.end(), digit);
}

// Out of line and cold: the per-query check below must not pay for its frame.
[[gnu::noinline, gnu::cold]] bool alabels_valid(std::string_view name) noexcept {
  std::size_t start = 0;
  while (start < name.size()) {
    std::size_t dot = std::min(name.find('.', start), name.size());
    std::string_view label = name.substr(start, dot - start);
    if (label.starts_with("xn--") && alabel_status(label) != IDN2_OK) return false;
    start = dot + 1;
  }
  return true;
}

std::string check_labels(std::string_view name) {
  std::size_t start = 0;
  std::string_view last;
  while (start <= name.size()) {
    std::size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) dot = name.size();
    std::string_view label = name.substr(start, dot - start);
    if (label.empty()) return "empty label (two dots in a row, or a leading dot)";
    if (label.size() > 63)
      return "label '" + base::escape_bytes(label.substr(0, 20)) + "…' is " +
             std::to_string(label.size()) + " bytes long (at most 63, RFC 1035 §2.3.4)";
    last = label;
    for (char c : label) {
      if (c == '*') return "'*' is only allowed as the whole first label of a rule (*.example.com)";
      if (!ldh_char(c))
        return "character '" + base::escape_bytes(std::string_view(&c, 1)) + "' is not allowed in a host name";
    }
    if (label.front() == '-' || label.back() == '-')
      return "label '" + std::string(label) + "' starts or ends with '-'";
    if (label.starts_with("xn--"))
      if (int rc = alabel_status(label); rc != IDN2_OK)
        return "label '" + std::string(label) + "' is not a valid A-label (" +
               (rc == IDN2_ENCODING_ERROR ? std::string("it does not encode back to itself") : idn2_strerror(rc)) + ")";
    start = dot + 1;
    if (dot == name.size()) break;
  }
  if (numeric_label(last))
    return "its last label is a number (no top-level domain is; resolvers read such names as IPv4 addresses)";
  return {};
}

} // namespace

bool is_ip_literal(std::string_view text) noexcept {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  if (text.empty() || text.size() > 45) return false;
  char buf[64];
  text.copy(buf, text.size());
  buf[text.size()] = '\0';
  unsigned char addr[16];
  return inet_pton(AF_INET, buf, addr) == 1 || inet_pton(AF_INET6, buf, addr) == 1;
}

bool is_canonical_host(std::string_view text) noexcept {
  if (text.empty() || text.size() > 253) return false;
  std::size_t label = 0;
  bool digits = true;
  char prev = '.';
  for (char c : text) {
    if (c == '.') {
      if (label == 0 || prev == '-') return false;
      label = 0;
      digits = true;
    } else {
      if (!ldh_char(c) || (label == 0 && c == '-') || ++label > 63) return false;
      digits = digits && c >= '0' && c <= '9';
    }
    prev = c;
  }
  if (label == 0 || prev == '-' || digits) return false;
  // The hex spelling of a number ("0x7f.0x1") is rare: only a last label starting "0x" is read whole.
  const char* tld = text.data() + text.size() - label;
  if (label > 2 && tld[0] == '0' && (tld[1] == 'x' || tld[1] == 'X') && numeric_label({tld, label})) return false;
  // Rare, and only libidn2 can judge them: an A-label's check runs only when one is there.
  return (!text.starts_with("xn--") && text.find(".xn--") == std::string_view::npos) || alabels_valid(text);
}

bool name_within(std::string_view name, std::string_view parent) noexcept {
  if (name.size() == parent.size()) return name == parent;
  return name.size() > parent.size() && name.ends_with(parent) &&
         name[name.size() - parent.size() - 1] == '.';
}

Result<DomainName> DomainName::parse(std::string_view text) {
  using R = Result<DomainName>;
  if (text.empty()) return R::failure("empty name");
  if (text.size() > 1024) return R::failure("name is " + std::to_string(text.size()) + " bytes long (at most 253)");
  if (is_ip_literal(text)) return R::failure("'" + std::string(text) + "' is an IP literal where a host name is required");
  if (text.find_first_of(" \t\r\n") != std::string_view::npos) return R::failure("name contains white space");
  if (text == ".") return R::failure("the root name '.' is not a host name");
  if (text.back() == '.') text.remove_suffix(1);
  auto alabels = to_alabels(text);
  if (!alabels) return R::failure(alabels.error());
  std::string name = std::move(alabels).value();
  if (name.empty()) return R::failure("empty name");
  if (name.size() > 253)
    return R::failure("name is " + std::to_string(name.size()) + " bytes long (at most 253, RFC 1035 §2.3.4)");
  if (auto why = check_labels(name); !why.empty()) return R::failure(why);
  return DomainName(std::move(name));
}

std::size_t DomainName::label_count() const noexcept {
  if (m_name.empty()) return 0;
  std::size_t n = 1;
  for (char c : m_name) n += c == '.';
  return n;
}

bool DomainName::is_within(const DomainName& parent) const noexcept { return name_within(m_name, parent.m_name); }

bool DomainName::is_strictly_below(const DomainName& parent) const noexcept {
  return m_name.size() > parent.m_name.size() && name_within(m_name, parent.m_name);
}

Result<DomainName> DomainName::parent() const {
  auto dot = m_name.find('.');
  if (dot == std::string::npos) return Result<DomainName>::failure("a top-level name has no parent");
  return DomainName(m_name.substr(dot + 1));
}

} // namespace netmap::policy
