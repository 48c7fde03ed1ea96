//! The release binary's debug sections (line tables, for backtraces) are compressed when
//! linked: a third of the size, and std's backtraces read zlib-compressed DWARF.

fn main() {
    if std::env::var("PROFILE").as_deref() == Ok("release")
        && std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux")
    {
        println!("cargo::rustc-link-arg-bins=-Wl,--compress-debug-sections=zlib");
    }
}
