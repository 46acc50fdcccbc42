#pragma once
// Outputs must not land on inputs: `discover -r X -o X` would replace a capture that cannot be
// made again, and the atomic rename makes the loss certain.

#include <span>
#include <string>

namespace netmap::base {

/// A file a command reads or writes, and how to name it in an error ("--output", "-r").
struct PathUse {
  std::string path; ///< as given; "" (unused) and "-" (a standard stream) are never compared
  std::string flag;
};

/// Throws UserError when an output is the same file as an input or as another output: the same
/// device and inode when it exists, else the same absolute path once its directory is resolved.
void require_distinct(std::span<const PathUse> inputs, std::span<const PathUse> outputs);

} // namespace netmap::base
