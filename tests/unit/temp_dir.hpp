#pragma once
// A fresh directory under $TMPDIR for one test (mkdtemp: unique even across parallel ctest
// runs), removed with everything in it when the object goes.
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace edgelease::test {

class TempDir {
  public:
    explicit TempDir(const std::string& prefix = "edgelease-test") {
        std::string templ =
            (std::filesystem::temp_directory_path() / (prefix + ".XXXXXX")).string();
        if (::mkdtemp(templ.data()) == nullptr)
            throw std::filesystem::filesystem_error(
                "mkdtemp", std::error_code(errno, std::generic_category()));
        path_ = templ;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::string& path() const { return path_; }
    const std::string& str() const { return path_; }
    /// Writes `text` to `name` inside the directory.
    void write(const std::string& name, const std::string& text) const {
        std::ofstream(path_ + "/" + name, std::ios::binary) << text;
    }

  private:
    std::string path_;
};

}  // namespace edgelease::test
