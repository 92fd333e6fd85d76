#pragma once
// The CPUs an EAL argument list pins its lcores to (-l, -c, --lcores), for the systemd unit's
// CPUAffinity= (packaging/systemd/edgelease-generator). Pure: unit-tested.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace edgelease::dataplane {

/// One EAL lcore option: `name` is "-l", "-c" or "--lcores"; `value` the value attached to it
/// ("-l2-5", "--lcores=0@2"), or empty when `value_follows` (the next argument holds it).
struct LcoreOption {
    std::string_view name, value;
    bool value_follows = false;
};
/// `arg` as an lcore option, or nullopt when it is none. getopt_long takes any unambiguous
/// prefix of a long option, so --lc and --lco are --lcores (--l alone is ambiguous with
/// --log-level, and EAL refuses it).
std::optional<LcoreOption> lcore_option(std::string_view arg);

/// The CPUs named by the lcore options in `eal_args`, sorted and unique: `-l 2,4-6`,
/// `-c 0x3c`, `--lcores=(0-3)@(2,3),4@5` (the CPU sets after `@`; an element without `@`
/// runs on the CPU of its own number), blanks skipped as EAL skips them, `--lcores` also
/// by an unambiguous prefix (`--lco`) as getopt_long takes it. nullopt with `error` empty: no lcore
/// option (the appliance then spreads its lcores over the CPUs it is allowed). nullopt with `error`
/// set: an option it cannot read.
std::optional<std::vector<unsigned>> eal_lcore_cpus(const std::vector<std::string>& eal_args,
                                                    std::string& error);

/// "2-5,8": the CPU list syntax of systemd's CPUAffinity= and of `-l`.
std::string cpu_list_text(const std::vector<unsigned>& cpus);

}  // namespace edgelease::dataplane
