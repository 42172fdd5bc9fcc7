#include "ptqc/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "ptqc/error.h"

namespace ptqc {

namespace {

[[noreturn]] void file_error(const std::string& what, const std::string& path, const std::string& problem) {
  throw Error(ErrorCode::kFileIo, what + " " + path + ": " + problem);
}

std::string file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

/// An open regular file. O_NONBLOCK keeps open() from waiting for a FIFO's writer; it has
/// no effect on regular files, which are the only kind accepted.
class RegularFile {
 public:
  RegularFile(const std::string& path, const std::string& what) : path_(path), what_(what) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd_ < 0) file_error(what, path, errno == ENOENT ? "no such file" : std::string("cannot open: ") + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd_, &st) != 0) file_error(what, path, std::string("cannot stat: ") + std::strerror(errno));
    if (!S_ISREG(st.st_mode)) file_error(what, path, "is " + file_kind(st.st_mode) + ", not a regular file");
    size_ = static_cast<uint64_t>(st.st_size);
  }
  ~RegularFile() { ::close(fd_); }
  RegularFile(const RegularFile&) = delete;
  RegularFile& operator=(const RegularFile&) = delete;

  uint64_t size() const { return size_; }

  /// Bytes [offset, offset + length); the range must lie inside the file.
  std::string read(uint64_t offset, uint64_t length) const {
    if (offset > size_ || length > size_ - offset) {
      file_error(what_, path_, "needs " + std::to_string(length) + " bytes at offset " + std::to_string(offset) +
                                   ", but the file has " + std::to_string(size_));
    }
    std::string bytes(static_cast<size_t>(length), '\0');
    size_t done = 0;
    while (done < length) {
      const ssize_t n = ::pread(fd_, bytes.data() + done, length - done, static_cast<off_t>(offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        file_error(what_, path_, n == 0 ? "the file ended after " + std::to_string(offset + done) + " bytes (it shrank while read)"
                                        : std::string("read error: ") + std::strerror(errno));
      }
      done += static_cast<size_t>(n);
    }
    return bytes;
  }

 private:
  std::string path_, what_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

}  // namespace

uint64_t regular_file_size(const std::string& path, const std::string& what) { return RegularFile(path, what).size(); }

std::string read_file_bytes(const std::string& path, uint64_t max_bytes, const std::string& what) {
  const RegularFile file(path, what);
  if (file.size() > max_bytes) {
    file_error(what, path, "is " + std::to_string(file.size()) + " bytes, more than the " + std::to_string(max_bytes) +
                               " a file of this kind may have");
  }
  return file.read(0, file.size());
}

std::string read_file_range(const std::string& path, uint64_t offset, uint64_t length, const std::string& what) {
  return RegularFile(path, what).read(offset, length);
}

void write_file_atomically(const std::string& path, std::string_view bytes) {
  const std::filesystem::path target(path);
  const std::filesystem::path dir = target.has_parent_path() ? target.parent_path() : ".";
  std::string tmp = (dir / ("." + target.filename().string() + ".tmpXXXXXX")).string();
  const int fd = mkstemp(tmp.data());
  if (fd < 0) throw Error(ErrorCode::kFileIo, "cannot create a file in " + dir.string() + ": " + std::strerror(errno));
  size_t done = 0;
  bool ok = ::fchmod(fd, 0644) == 0;  // mkstemp creates 0600; outputs are ordinary readable files
  while (ok && done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  const int saved_errno = errno;
  ok = ok && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw Error(ErrorCode::kFileIo, "cannot write " + path + ": " + std::strerror(saved_errno ? saved_errno : errno));
  }
}

void ensure_directory(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir)) {
    throw Error(ErrorCode::kFileIo, "cannot create folder " + dir + (ec ? ": " + ec.message() : ""));
  }
}

}  // namespace ptqc
