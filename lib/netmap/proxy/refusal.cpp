#include "netmap/proxy/refusal.hpp"

namespace netmap::proxy {

namespace {

std::string rule_where(const policy::Rule& r) {
  return "`" + r.text() + "` (" + r.source.str() + ")";
}

} // namespace

Refusal policy_refusal(const policy::Verdict& v, const std::string& host, const std::string& policy_name) {
  Refusal r;
  switch (v.decision) {
  case policy::Decision::Denied:
    r.tag = "blocked-by-denylist";
    r.body = "netmap: " + host + " is denied by rule " + (v.rule ? rule_where(*v.rule) : std::string("?")) +
             "; remove that deny rule in " + policy_name + " to allow it";
    break;
  case policy::Decision::Mock:
    r.tag = "blocked-by-mock-rule";
    r.body = "netmap: " + host + " is marked mock by rule " + (v.rule ? rule_where(*v.rule) : std::string("?")) +
             ": tests must mock it, not reach it; move it to allow in " + policy_name + " to let it through";
    break;
  case policy::Decision::Ignored:
    r.tag = "blocked-by-allowlist";
    r.body = "netmap: " + host + " is not on the allowlist (only ignored, by rule " +
             (v.rule ? rule_where(*v.rule) : std::string("?")) + "); add `" + host + "` to allow in " + policy_name;
    break;
  case policy::Decision::Invalid:
    r.status = 400;
    r.tag = "blocked-by-policy";
    r.body = "netmap: '" + host + "' is not a valid host name";
    break;
  case policy::Decision::Allowed:
  case policy::Decision::Unlisted:
    r.tag = "blocked-by-allowlist";
    r.body = "netmap: " + host + " is not on the allowlist; add `" + host + "` to allow in " + policy_name;
    break;
  }
  return r;
}

Refusal method_refusal(const std::string& method, const std::string& host, const std::vector<std::string>& methods,
                       const std::string& policy_name) {
  Refusal r;
  r.tag = "blocked-by-method-policy";
  std::string list;
  for (const auto& m : methods) list += (list.empty() ? "" : ", ") + m;
  r.body = "netmap: " + method + " to " + host + " is not allowed: methods are limited to " + list;
  if (method == "CONNECT")
    r.body += " (as in Codex's limited mode, CONNECT tunnels and so HTTPS are blocked)";
  r.body += "; add " + method + " to methods in " + policy_name + " to allow it";
  r.headers.emplace_back("Allow", list);
  return r;
}

Refusal ip_literal_refusal(const std::string& host) {
  Refusal r;
  r.tag = "blocked-ip-literal";
  r.body = "netmap: " + host + " is a bare IP address; the allowlist holds names, so connect by host name";
  return r;
}

Refusal plain_refusal(int status, std::string body, std::string tag) {
  Refusal r;
  r.status = status;
  r.body = "netmap: " + std::move(body);
  r.tag = std::move(tag);
  return r;
}

const char* reason_phrase(int status) noexcept {
  switch (status) {
  case 400: return "Bad Request";
  case 403: return "Forbidden";
  case 405: return "Method Not Allowed";
  case 408: return "Request Timeout";
  case 414: return "URI Too Long";
  case 429: return "Too Many Requests";
  case 431: return "Request Header Fields Too Large";
  case 501: return "Not Implemented";
  case 502: return "Bad Gateway";
  case 503: return "Service Unavailable";
  case 504: return "Gateway Timeout";
  case 505: return "HTTP Version Not Supported";
  case 508: return "Loop Detected";
  default: return "Error";
  }
}

std::string render(const Refusal& r) {
  std::string body = r.body;
  for (char& c : body)
    if (c == '\r' || c == '\n') c = ' '; // a body line never splits; headers never get injected
  body += "\n";
  std::string out = "HTTP/1.1 " + std::to_string(r.status) + " " + reason_phrase(r.status) + "\r\n";
  if (!r.tag.empty()) out += "x-proxy-error: " + r.tag + "\r\n";
  for (const auto& [k, v] : r.headers) out += k + ": " + v + "\r\n";
  out += "Content-Type: text/plain; charset=utf-8\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\nProxy-Connection: close\r\n\r\n" + body;
  return out;
}

} // namespace netmap::proxy
