//! Loads Starstream sources from disk and builds the workspace module graph: contract entry
//! files (`contract;`), helper files, relative path imports, with cycles and cross-contract
//! imports rejected. Every problem is a located diagnostic; nothing here panics on bad input.

use starstream_diagnostics::{Code, Diagnostic, FileId, SourceMap, Span};
use starstream_syntax::ast::{ImportNames, ImportSource, Item, ItemKind, Program};
use starstream_syntax::Parse;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The largest source file the compiler reads, in bytes.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// One parsed source file of the workspace.
#[derive(Debug)]
pub struct Module {
    pub file: FileId,
    /// The path as the user (or the importing file) named it.
    pub path: PathBuf,
    pub parse: Parse,
    /// The file declares `contract;`: it is a contract's entry file.
    pub is_contract: bool,
    /// Was named on the command line (directly or through a directory).
    pub requested: bool,
    /// The files this one imports, resolved, in source order.
    pub imports: Vec<FileId>,
}

/// Everything `check` loaded: sources, parsed modules and the diagnostics found so far.
#[derive(Debug, Default)]
pub struct Workspace {
    pub sources: SourceMap,
    pub modules: Vec<Module>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Workspace {
    pub fn module(&self, file: FileId) -> Option<&Module> {
        self.modules.iter().find(|m| m.file == file)
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Expands command-line paths into `.star` files: files are taken as given, directories are
/// searched recursively (skipping hidden directories and `target`), in sorted order.
pub fn discover(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut diagnostics = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Err(_) => diagnostics.push(
                Diagnostic::new(
                    Code::PATH_NOT_FOUND,
                    format!("`{}` does not exist", path.display()),
                )
                .with_help("check the spelling, or give a `.star` file or a directory of them"),
            ),
            Ok(meta) if meta.is_dir() => {
                let before = files.len();
                walk(path, &mut files, &mut diagnostics);
                if files.len() == before {
                    diagnostics.push(
                        Diagnostic::new(
                            Code::NO_SOURCE_FILES,
                            format!("`{}` contains no `.star` files", path.display()),
                        )
                        .with_help("Starstream sources end in `.star`"),
                    );
                }
            }
            Ok(_) => files.push(path.clone()),
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    files.retain(|f| seen.insert(std::fs::canonicalize(f).unwrap_or_else(|_| f.clone())));
    (files, diagnostics)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>, diagnostics: &mut Vec<Diagnostic>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            diagnostics.push(Diagnostic::new(
                Code::UNREADABLE_FILE,
                format!("cannot read the directory `{}`: {e}", dir.display()),
            ));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if !name.starts_with('.') && name != "target" {
                walk(&path, files, diagnostics);
            }
        } else if path.extension().is_some_and(|e| e == "star") {
            // `check .` names files `a.star`, not `./a.star`.
            files.push(
                path.strip_prefix(".")
                    .map(Path::to_path_buf)
                    .unwrap_or(path),
            );
        }
    }
}

/// Reads one source file into `sources`. Problems with the bytes (too large, not UTF-8) are
/// diagnostics; a file that is not UTF-8 is still added (lossily) so the error can point into it.
pub fn read_source(sources: &mut SourceMap, path: &Path) -> Result<FileId, Box<Diagnostic>> {
    let name = path.display().to_string();
    let unreadable = |e: std::io::Error| {
        Box::new(Diagnostic::new(
            Code::UNREADABLE_FILE,
            format!("cannot read `{name}`: {e}"),
        ))
    };
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if meta.is_dir() {
        return Err(Box::new(Diagnostic::new(
            Code::UNREADABLE_FILE,
            format!("cannot read `{name}`: it is a directory"),
        )));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(Box::new(
            Diagnostic::new(
                Code::FILE_TOO_LARGE,
                format!(
                    "`{name}` is {} bytes, more than the limit of {MAX_FILE_BYTES}",
                    meta.len()
                ),
            )
            .with_help("split the program into several files joined by imports"),
        ));
    }
    let bytes = std::fs::read(path).map_err(unreadable)?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(sources.add(name, text)),
        Err(e) => {
            let at = e.utf8_error().valid_up_to() as u32;
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            // Lossy decoding keeps every valid prefix byte where it was.
            let file = sources.add(name.clone(), text);
            Err(Box::new(
                Diagnostic::new(Code::NOT_UTF8, format!("`{name}` is not UTF-8 text"))
                    .with_primary(file, Span::new(at, at + 1), "this byte is not valid UTF-8")
                    .with_help("Starstream sources are UTF-8 text; is this a binary file?"),
            ))
        }
    }
}

/// A workspace of one in-memory file named `name` (for tests, benchmarks and editors). Its
/// file imports resolve relative to the directory part of `name`.
pub fn load_source(name: &str, text: &str) -> Workspace {
    let mut ws = Workspace::default();
    let file = ws.sources.add(name, text);
    let parse = starstream_syntax::parse(file, text);
    ws.diagnostics.extend(parse.diagnostics.iter().cloned());
    let mut loader = Loader {
        ws,
        by_path: BTreeMap::new(),
    };
    let is_contract = loader.check_contract_marker(file, &parse.program);
    loader.ws.modules.push(Module {
        file,
        path: PathBuf::from(name),
        parse,
        is_contract,
        requested: true,
        imports: Vec::new(),
    });
    loader.resolve_imports(file);
    loader.ws
}

/// Loads and parses the given paths and every file they import, and checks the module graph.
pub fn load(paths: &[PathBuf]) -> Workspace {
    let mut ws = Workspace::default();
    let (files, diags) = discover(paths);
    ws.diagnostics.extend(diags);
    let mut loader = Loader {
        ws,
        by_path: BTreeMap::new(),
    };
    let mut queue = std::collections::VecDeque::new();
    for path in files {
        if let Some(file) = loader.load_file(&path, true) {
            queue.push_back(file);
        }
    }
    // Breadth-first over imports, so each file is read once however often it is imported.
    while let Some(file) = queue.pop_front() {
        for target in loader.resolve_imports(file) {
            queue.push_back(target);
        }
    }
    loader.check_contract_imports();
    loader.check_cycles();
    loader.check_unused_helpers();
    loader.ws
}

struct Loader {
    ws: Workspace,
    /// Canonical path of every loaded file.
    by_path: BTreeMap<PathBuf, FileId>,
}

impl Loader {
    /// Reads and parses a file once. Returns its id the first time it is loaded.
    fn load_file(&mut self, path: &Path, requested: bool) -> Option<FileId> {
        let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if let Some(&file) = self.by_path.get(&canonical) {
            if requested {
                if let Some(m) = self.ws.modules.iter_mut().find(|m| m.file == file) {
                    m.requested = true;
                }
            }
            return None;
        }
        let file = match read_source(&mut self.ws.sources, path) {
            Ok(file) => file,
            Err(d) => {
                self.ws.diagnostics.push(*d);
                return None;
            }
        };
        self.by_path.insert(canonical, file);
        let text = &self.ws.sources.get(file).expect("just added").text;
        let parse = starstream_syntax::parse(file, text);
        self.ws
            .diagnostics
            .extend(parse.diagnostics.iter().cloned());
        let is_contract = self.check_contract_marker(file, &parse.program);
        self.ws.modules.push(Module {
            file,
            path: path.to_path_buf(),
            parse,
            is_contract,
            requested,
            imports: Vec::new(),
        });
        Some(file)
    }

    /// `contract;` must be the first definition and appear once.
    fn check_contract_marker(&mut self, file: FileId, program: &Program) -> bool {
        let mut first: Option<Span> = None;
        for (i, item) in program.items.iter().enumerate() {
            if !matches!(item.kind, ItemKind::Contract) {
                continue;
            }
            if let Some(earlier) = first {
                self.ws.diagnostics.push(
                    Diagnostic::new(Code::MISPLACED_CONTRACT, "`contract;` is declared twice")
                        .with_primary(file, item.span, "declared again here")
                        .with_secondary(file, earlier, "first declared here")
                        .with_help("remove the second `contract;`"),
                );
            } else {
                if i > 0 {
                    self.ws.diagnostics.push(
                        Diagnostic::new(
                            Code::MISPLACED_CONTRACT,
                            "`contract;` must come before every other definition",
                        )
                        .with_primary(file, item.span, "declared after other definitions")
                        .with_help("move `contract;` to the top of the file"),
                    );
                }
                first = Some(item.span);
            }
        }
        first.is_some()
    }

    /// Each loaded file's position in `Workspace::modules`.
    fn index_by_file(&self) -> BTreeMap<FileId, usize> {
        self.ws
            .modules
            .iter()
            .enumerate()
            .map(|(i, m)| (m.file, i))
            .collect()
    }

    fn module_index(&self, file: FileId) -> usize {
        self.ws
            .modules
            .iter()
            .position(|m| m.file == file)
            .expect("modules are registered when loaded")
    }

    /// Resolves the imports of `file`, loading the files they name. Returns newly loaded files.
    fn resolve_imports(&mut self, file: FileId) -> Vec<FileId> {
        let index = self.module_index(file);
        let base = self.ws.modules[index]
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let imports: Vec<Item> = self.ws.modules[index]
            .parse
            .program
            .items
            .iter()
            .filter(|i| matches!(i.kind, ItemKind::Import(_)))
            .cloned()
            .collect();
        let mut newly_loaded = Vec::new();
        let mut resolved = Vec::new();
        for item in &imports {
            let ItemKind::Import(import) = &item.kind else {
                continue;
            };
            match &import.source {
                ImportSource::Package {
                    namespace,
                    package,
                    span,
                    ..
                } => {
                    if namespace.name != "starstream" || package.name != "std" {
                        self.ws.diagnostics.push(
                            Diagnostic::new(
                                Code::UNKNOWN_IMPORT_SOURCE,
                                format!("there is no package `{}:{}`", namespace.name, package.name),
                            )
                            .with_primary(file, *span, "unknown package")
                            .with_help("packages are imported from `starstream:std` or `starstream:std/INTERFACE`; files from a relative path such as `\"./helpers.star\"`"),
                        );
                    }
                }
                ImportSource::File(lit) => {
                    let value = &lit.value;
                    let relative = value.starts_with("./") || value.starts_with("../");
                    if !relative || !value.ends_with(".star") {
                        self.ws.diagnostics.push(
                            Diagnostic::new(
                                Code::BAD_IMPORT_PATH,
                                format!("`{value}` is not a relative `.star` path"),
                            )
                            .with_primary(
                                file,
                                lit.span,
                                "import paths start with `./` or `../` and end with `.star`",
                            )
                            .with_help(format!(
                                "write the path relative to this file, such as `\"./{}\"`",
                                Path::new(value)
                                    .file_name()
                                    .and_then(|n| n.to_str())
                                    .unwrap_or("helpers.star")
                            )),
                        );
                        continue;
                    }
                    let target_path = base.join(value);
                    if !target_path.is_file() {
                        self.ws.diagnostics.push(
                            Diagnostic::new(
                                Code::IMPORT_NOT_FOUND,
                                format!("cannot find `{value}`"),
                            )
                            .with_primary(
                                file,
                                lit.span,
                                format!("no file at `{}`", target_path.display()),
                            )
                            .with_help("import paths are relative to the importing file"),
                        );
                        continue;
                    }
                    let canonical =
                        std::fs::canonicalize(&target_path).unwrap_or_else(|_| target_path.clone());
                    let target = match self.by_path.get(&canonical) {
                        Some(&t) => t,
                        None => match self.load_file(&target_path, false) {
                            Some(t) => {
                                newly_loaded.push(t);
                                t
                            }
                            None => continue,
                        },
                    };
                    resolved.push((target, item.clone()));
                }
            }
        }
        for (target, item) in &resolved {
            self.check_named_imports(file, *target, item);
        }
        self.ws.modules[index].imports = resolved.iter().map(|(t, _)| *t).collect();
        newly_loaded
    }

    /// A named import must name a top-level definition of the imported file.
    fn check_named_imports(&mut self, file: FileId, target: FileId, item: &Item) {
        let ItemKind::Import(import) = &item.kind else {
            return;
        };
        let ImportNames::Named(names) = &import.names else {
            return;
        };
        let defined = top_level_names(&self.ws.modules[self.module_index(target)].parse.program);
        let target_name = self
            .ws
            .sources
            .get(target)
            .map(|f| f.name.clone())
            .unwrap_or_default();
        for name in names {
            if !name.name.name.is_empty() && !defined.contains(&name.name.name.as_str()) {
                let d = Diagnostic::new(
                    Code::IMPORTED_NAME_MISSING,
                    format!("`{}` is not defined in `{target_name}`", name.name.name),
                )
                .with_primary(file, name.name.span, "not found in the imported file")
                .with_suggestion(&name.name.name, &defined, |close| {
                    format!("a definition with a similar name exists: `{close}`")
                });
                self.ws.diagnostics.push(d);
            }
        }
    }

    /// Contracts are separate programs: a file may not import a contract's entry file.
    fn check_contract_imports(&mut self) {
        let mut found = Vec::new();
        for m in &self.ws.modules {
            let spans = import_spans(&m.parse.program);
            for (target, span) in m.imports.iter().zip(spans) {
                let target_module = self.ws.modules.iter().find(|t| t.file == *target);
                if target_module.is_some_and(|t| t.is_contract) {
                    found.push(
                        Diagnostic::new(
                            Code::CROSS_CONTRACT_IMPORT,
                            "a file cannot import another contract",
                        )
                        .with_primary(m.file, span, "this file declares `contract;`")
                        .with_help("move the shared definitions into a helper file (one without `contract;`) and import that; contracts interact at run time through UTXOs and ABIs"),
                    );
                }
            }
        }
        self.ws.diagnostics.extend(found);
    }

    /// Reports each import that closes a cycle, naming the files around it.
    fn check_cycles(&mut self) {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            Active,
            Done,
        }
        let n = self.ws.modules.len();
        let index = self.index_by_file();
        let mut marks = vec![Mark::New; n];
        let mut found = Vec::new();
        for root in 0..n {
            if marks[root] != Mark::New {
                continue;
            }
            // Iterative depth-first search: (module, next import to visit).
            let mut stack = vec![(root, 0usize)];
            marks[root] = Mark::Active;
            while let Some(&mut (m, ref mut next)) = stack.last_mut() {
                let imports = &self.ws.modules[m].imports;
                if *next >= imports.len() {
                    marks[m] = Mark::Done;
                    stack.pop();
                    continue;
                }
                let edge = *next;
                *next += 1;
                let t = index[&imports[edge]];
                match marks[t] {
                    Mark::New => {
                        marks[t] = Mark::Active;
                        stack.push((t, 0));
                    }
                    Mark::Active => {
                        let from = stack.iter().position(|&(s, _)| s == t).unwrap_or(0);
                        let names: Vec<String> = stack[from..]
                            .iter()
                            .map(|&(s, _)| self.name(s))
                            .chain(std::iter::once(self.name(t)))
                            .collect();
                        let span = import_spans(&self.ws.modules[m].parse.program)[edge];
                        found.push(
                            Diagnostic::new(Code::IMPORT_CYCLE, "these imports form a cycle")
                                .with_primary(self.ws.modules[m].file, span, "this import closes the cycle")
                                .with_note(format!("the cycle: {}", names.join(" -> ")))
                                .with_help("move what both files need into a third file that imports neither"),
                        );
                    }
                    Mark::Done => {}
                }
            }
        }
        self.ws.diagnostics.extend(found);
    }

    /// Helper files that no contract reaches through its imports are probably a mistake.
    fn check_unused_helpers(&mut self) {
        if !self.ws.modules.iter().any(|m| m.is_contract) {
            return;
        }
        let index = self.index_by_file();
        let mut reached = vec![false; self.ws.modules.len()];
        let mut stack: Vec<usize> = (0..self.ws.modules.len())
            .filter(|&i| self.ws.modules[i].is_contract)
            .collect();
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut reached[i], true) {
                continue;
            }
            stack.extend(self.ws.modules[i].imports.iter().map(|f| index[f]));
        }
        for (i, m) in self.ws.modules.iter().enumerate() {
            if !reached[i] && m.requested && !m.parse.program.items.is_empty() {
                let name = self.name(i);
                self.ws.diagnostics.push(
                    Diagnostic::new(
                        Code::UNUSED_HELPER_FILE,
                        format!("no contract imports `{name}`"),
                    )
                    .with_primary(m.file, Span::new(0, 0), "this helper file is not part of any contract")
                    .with_help("import it from a contract, add `contract;` if it is a contract, or delete it"),
                );
            }
        }
    }

    fn name(&self, module: usize) -> String {
        self.ws
            .sources
            .get(self.ws.modules[module].file)
            .map(|f| f.name.clone())
            .unwrap_or_default()
    }
}

/// The span of each file import's path string, in the order `Module::imports` lists them.
fn import_spans(program: &Program) -> Vec<Span> {
    program
        .items
        .iter()
        .filter_map(|i| match &i.kind {
            ItemKind::Import(import) => match &import.source {
                ImportSource::File(lit) => Some(lit.span),
                ImportSource::Package { .. } => None,
            },
            _ => None,
        })
        .collect()
}

/// The names a file defines at its top level (what a named import may ask for).
pub fn top_level_names(program: &Program) -> Vec<&str> {
    program
        .items
        .iter()
        .filter_map(|i| match &i.kind {
            ItemKind::Fn(f) => Some(f.name.name.as_str()),
            ItemKind::Struct(s) => Some(s.name.name.as_str()),
            ItemKind::Enum(e) => Some(e.name.name.as_str()),
            ItemKind::Utxo(u) => Some(u.name.name.as_str()),
            ItemKind::Token(t) => Some(t.name.name.as_str()),
            ItemKind::Abi(a) => Some(a.name.name.as_str()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    fn codes(ws: &Workspace) -> Vec<&'static str> {
        ws.diagnostics.iter().map(|d| d.code.as_str()).collect()
    }

    #[test]
    fn a_contract_with_a_helper_loads_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "main.star",
            "contract;\nimport { double } from \"./lib/math.star\";\nfn f() {}\n",
        );
        write(
            dir.path(),
            "lib/math.star",
            "fn double(x: i64) -> i64 { x * 2 }\n",
        );
        let ws = load(&[dir.path().to_path_buf()]);
        assert!(ws.diagnostics.is_empty(), "{:?}", ws.diagnostics);
        assert_eq!(ws.modules.len(), 2);
        let main = ws.modules.iter().find(|m| m.is_contract).unwrap();
        let helper = ws.modules.iter().find(|m| !m.is_contract).unwrap();
        assert_eq!(main.imports, vec![helper.file]);
    }

    #[test]
    fn graph_errors_are_each_reported() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "a.star",
            "contract;\nimport { nope } from \"./b.star\";\nimport x from \"./missing.star\";\nimport y from \"c.star\";\nimport z from \"./other.star\";\nimport w from acme:lib;\n",
        );
        write(
            dir.path(),
            "b.star",
            "import q from \"./b2.star\";\nfn yes() {}\n",
        );
        write(
            dir.path(),
            "b2.star",
            "import q from \"./b.star\";\nfn no() {}\n",
        );
        write(dir.path(), "other.star", "contract;\nfn f() {}\n");
        let ws = load(&[dir.path().join("a.star")]);
        let mut got = codes(&ws);
        got.sort();
        assert_eq!(
            got,
            vec!["E0103", "E0104", "E0105", "E0106", "E0108", "E0109"]
        );
    }

    #[test]
    fn bad_paths_and_bytes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("empty")).unwrap();
        let bin = dir.path().join("bin.star");
        std::fs::write(&bin, [b'f', b'n', 0xff, 0xfe]).unwrap();
        let ws = load(&[dir.path().join("nope.star"), dir.path().join("empty"), bin]);
        assert_eq!(codes(&ws), vec!["E0100", "E0101", "E0010"]);
        let d = &ws.diagnostics[2];
        assert_eq!(d.primary.as_ref().unwrap().span, Span::new(2, 3));
    }

    #[test]
    fn contract_marker_rules_and_unused_helpers() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.star", "fn f() {}\ncontract;\ncontract;\n");
        write(dir.path(), "unused.star", "fn g() {}\n");
        let ws = load(&[dir.path().to_path_buf()]);
        assert_eq!(codes(&ws), vec!["E0107", "E0107", "W0100"]);
    }
}
