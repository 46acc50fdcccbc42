#pragma once
// Writes an inventory as JSON one record at a time, byte for byte what inventory::to_json(inv)
// .dump(2) gives, without building the whole document: on long captures with many names the
// document tree, not the capture, would otherwise set the peak memory.

#include "netmap/capture/findings.hpp"
#include "netmap/inventory/inventory.hpp"

#include <ostream>
#include <string>

namespace netmap::capture {

/// Streams `inv` as pretty-printed JSON (indent 2) followed by a newline.
void stream_inventory(std::ostream& out, const inventory::Inventory& inv);

/// Streams a run's findings the same way, expanding one domain record at a time.
void stream_inventory(std::ostream& out, const Findings& found);

/// Streams `inv` to `path` atomically (temporary beside it, fsync, rename); "-" is stdout.
/// Throws base::UserError naming the path.
void save_inventory(const std::string& path, const inventory::Inventory& inv);
/// Streams a run's findings to `path` atomically, as save_inventory(path, Inventory) does.
void save_inventory(const std::string& path, const Findings& found);

} // namespace netmap::capture
