//! Helpers shared by the test hosts.

/// Defines every import of `module` that the linker lacks as a call this process may not
/// make (one module serves every process of a contract, so it imports more than one uses).
pub fn forbid_the_rest<T>(
    linker: &mut wasmi::Linker<T>,
    module: &wasmi::Module,
    process: &'static str,
) {
    for import in module.imports() {
        if let wasmi::ExternType::Func(ty) = import.ty() {
            let name = import.name().to_string();
            // A name that is already defined is refused, which leaves its definition.
            let _ = linker.func_new(
                import.module(),
                import.name(),
                ty.clone(),
                move |_, _, _| Err(wasmi::Error::new(format!("a {process} called `{name}`"))),
            );
        }
    }
}
