#include "netmap/proxy/resolver.hpp"

#include "netmap/base/clock.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>

namespace netmap::proxy {

Resolver::Resolver(int threads, std::map<std::string, std::string> overrides) : m_overrides(std::move(overrides)) {
  for (int i = 0; i < std::max(1, threads); ++i) m_threads.emplace_back([this] { loop(); });
}

Resolver::~Resolver() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
    m_jobs.clear();
  }
  m_cv.notify_all();
  for (auto& t : m_threads) t.join();
}

bool Resolver::resolve_now(const std::string& host, std::uint16_t port, Resolution& out) const {
  auto it = m_overrides.find(host);
  const std::string& ip = it != m_overrides.end() ? it->second : host;
  auto a = base::sockaddr_of(ip, port);
  if (!a) {
    if (it == m_overrides.end()) {
      std::lock_guard lock(m_cache_mutex);
      auto c = m_cache.find(host + " " + std::to_string(port));
      if (c == m_cache.end() || c->second.first < base::monotonic_ns()) return false;
      out.addresses = c->second.second;
      return true;
    }
    out.error = "override for " + host + " is not an IP address";
    return true;
  }
  out.addresses.push_back(*a);
  out.overridden = it != m_overrides.end();
  return true;
}

void Resolver::submit(std::string host, std::uint16_t port, std::function<void(Resolution)> done) {
  {
    std::lock_guard lock(m_mutex);
    m_jobs.push_back({std::move(host), port, std::move(done)});
  }
  m_cv.notify_one();
}

void Resolver::loop() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(m_mutex);
      m_cv.wait(lock, [&] { return m_stopping || !m_jobs.empty(); });
      if (m_stopping) return;
      job = std::move(m_jobs.front());
      m_jobs.pop_front();
    }
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG;
    addrinfo* res = nullptr;
    std::string port = std::to_string(job.port);
    Resolution out;
    int rc = ::getaddrinfo(job.host.c_str(), port.c_str(), &hints, &res);
    if (rc != 0) {
      out.error = ::gai_strerror(rc);
    } else {
      for (addrinfo* ai = res; ai; ai = ai->ai_next) {
        if (ai->ai_addrlen > sizeof(sockaddr_storage)) continue;
        base::SockAddr a;
        std::memcpy(&a.ss, ai->ai_addr, ai->ai_addrlen);
        a.len = ai->ai_addrlen;
        out.addresses.push_back(a);
      }
      ::freeaddrinfo(res);
      std::lock_guard lock(m_cache_mutex);
      if (m_cache.size() >= 4096) m_cache.clear(); // a crude bound; a refill costs one lookup each
      if (!out.addresses.empty()) m_cache[job.host + " " + port] = {base::monotonic_ns() + k_cache_ttl_ns, out.addresses};
    }
    job.done(std::move(out));
  }
}

} // namespace netmap::proxy
