//! Collecting definitions: every file's top-level names, import scopes, the standard library,
//! and the checked signatures of every struct, enum, ABI, function, UTXO and token.

use crate::ty::*;
use starstream_diagnostics::{Code, Diagnostic, FileId, Span};
use starstream_modules::Workspace;
use starstream_syntax::ast::{self, FnKind, ImportNames, ImportSource, ItemKind, TypeKind};
use std::collections::{BTreeMap, BTreeSet};

/// What `ns::` refers to in a file.
#[derive(Clone, Debug)]
pub enum Namespace {
    File(FileId),
    /// A standard-library interface: `""` for `starstream:std`, `"cardano"` for `/cardano`.
    Std(String),
}

/// The names visible at the top level of one file.
#[derive(Clone, Debug, Default)]
pub struct FileScope {
    pub names: BTreeMap<String, DefId>,
    pub namespaces: BTreeMap<String, Namespace>,
}

/// Where a function body lives and what kind of code it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    TopLevel,
    Utxo(DefId),
    Token(DefId),
}

/// A function body to check.
#[derive(Clone, Copy, Debug)]
pub struct Body<'a> {
    pub file: FileId,
    pub def: &'a ast::FnDef,
    pub owner: Owner,
    /// The method's ABI, for `impl` methods.
    pub in_impl: bool,
    pub sig: SigRef,
}

/// Where a body's signature is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SigRef {
    Fn(DefId),
    Constructor(DefId, usize),
    Method(DefId, usize),
    Helper(DefId, usize),
}

/// One runtime function of the standard library: interface (`""` is `starstream:std`), name,
/// parameters and result.
type StdFn = (
    &'static str,
    &'static str,
    &'static [(&'static str, Ty)],
    Ty,
);

const STD: &[StdFn] = &[
    ("", "block_height", &[], Ty::Int(IntTy::U64)),
    ("", "tx_signed_by", &[("key", Ty::PublicKey)], Ty::Bool),
    ("", "hash", &[("value", Ty::Int(IntTy::U64))], Ty::Hash),
    ("cardano", "blockHeight", &[], Ty::Int(IntTy::U64)),
];

pub struct Collected<'a> {
    pub defs: Vec<Def>,
    pub effects: Vec<SignalDef>,
    pub events: Vec<SignalDef>,
    pub scopes: BTreeMap<FileId, FileScope>,
    pub own_names: BTreeMap<FileId, BTreeMap<String, DefId>>,
    pub std: BTreeMap<(String, String), DefId>,
    pub bodies: Vec<Body<'a>>,
    pub diagnostics: Vec<Diagnostic>,
}

pub fn collect(ws: &Workspace) -> Collected<'_> {
    let mut c = Collected {
        defs: Vec::new(),
        effects: Vec::new(),
        events: Vec::new(),
        scopes: BTreeMap::new(),
        own_names: BTreeMap::new(),
        std: BTreeMap::new(),
        bodies: Vec::new(),
        diagnostics: Vec::new(),
    };
    for (interface, name, params, ret) in STD {
        let sig = FnSig {
            name: name.to_string(),
            params: params
                .iter()
                .map(|(n, t)| ParamSig {
                    name: n.to_string(),
                    ty: t.clone(),
                    is_pub: false,
                })
                .collect(),
            ret: ret.clone(),
            declared_effects: Some(Vec::new()),
            kind: FnKind::Plain,
            file: FileId(u32::MAX),
            span: Span::default(),
            body: None,
        };
        c.defs.push(Def {
            name: name.to_string(),
            file: FileId(u32::MAX),
            span: Span::default(),
            kind: DefKind::Runtime(sig),
        });
        c.std
            .insert((interface.to_string(), name.to_string()), c.defs.len() - 1);
    }

    // 1. Every file's own top-level names.
    let mut items: Vec<(DefId, FileId, &ast::Item)> = Vec::new();
    for m in &ws.modules {
        let mut own: BTreeMap<String, DefId> = BTreeMap::new();
        for item in &m.parse.program.items {
            let name = match &item.kind {
                ItemKind::Fn(f) => &f.name,
                ItemKind::Struct(s) => &s.name,
                ItemKind::Enum(e) => &e.name,
                ItemKind::Utxo(u) => &u.name,
                ItemKind::Token(t) => &t.name,
                ItemKind::Abi(a) => &a.name,
                _ => continue,
            };
            if name.name.is_empty() {
                continue;
            }
            let kind = match &item.kind {
                ItemKind::Struct(_) => DefKind::Struct { fields: Vec::new() },
                ItemKind::Enum(_) => DefKind::Enum {
                    variants: Vec::new(),
                },
                ItemKind::Utxo(_) => DefKind::Utxo(ContractInfo::default()),
                ItemKind::Token(_) => DefKind::Token(ContractInfo::default()),
                ItemKind::Abi(_) => DefKind::Abi(AbiInfo::default()),
                _ => DefKind::Fn(placeholder_sig(m.file)),
            };
            c.defs.push(Def {
                name: name.name.clone(),
                file: m.file,
                span: name.span,
                kind,
            });
            let id = c.defs.len() - 1;
            if let Some(&earlier) = own.get(&name.name) {
                c.diagnostics.push(duplicate(
                    m.file,
                    name,
                    c.defs[earlier].file,
                    c.defs[earlier].span,
                ));
                continue;
            }
            own.insert(name.name.clone(), id);
            items.push((id, m.file, item));
        }
        c.own_names.insert(m.file, own);
    }

    // 2. Scopes: own names plus imports.
    for m in &ws.modules {
        let mut scope = FileScope {
            names: c.own_names[&m.file].clone(),
            namespaces: BTreeMap::new(),
        };
        for (item, target) in file_imports(ws, m) {
            let ItemKind::Import(import) = &item.kind else {
                continue;
            };
            match &import.names {
                ImportNames::Named(names) => {
                    for n in names {
                        let local = n.alias.as_ref().unwrap_or(&n.name);
                        let found = match (&target, &import.source) {
                            (Some(f), _) => c
                                .own_names
                                .get(f)
                                .and_then(|o| o.get(&n.name.name))
                                .copied(),
                            (None, ImportSource::Package { interface, .. }) => {
                                let iface = interface
                                    .as_ref()
                                    .map(|i| i.name.clone())
                                    .unwrap_or_default();
                                let found =
                                    c.std.get(&(iface.clone(), n.name.name.clone())).copied();
                                if found.is_none() && !n.name.name.is_empty() {
                                    c.diagnostics
                                        .push(unknown_std(m.file, &n.name, &iface, &c.std));
                                }
                                found
                            }
                            // A file import that did not resolve was reported by the module graph.
                            (None, ImportSource::File(_)) => None,
                        };
                        let Some(def) = found else { continue };
                        if let Some(&existing) = scope.names.get(&local.name) {
                            if existing != def {
                                c.diagnostics.push(duplicate(
                                    m.file,
                                    local,
                                    c.defs[existing].file,
                                    c.defs[existing].span,
                                ));
                            }
                            continue;
                        }
                        scope.names.insert(local.name.clone(), def);
                    }
                }
                ImportNames::Namespace(ns) => {
                    let namespace = match (&target, &import.source) {
                        (Some(f), _) => Namespace::File(*f),
                        (None, ImportSource::Package { interface, .. }) => Namespace::Std(
                            interface
                                .as_ref()
                                .map(|i| i.name.clone())
                                .unwrap_or_default(),
                        ),
                        (None, ImportSource::File(_)) => continue,
                    };
                    scope.namespaces.insert(ns.name.clone(), namespace);
                }
            }
        }
        c.scopes.insert(m.file, scope);
    }

    // 3. Signatures, in an order where every name already exists.
    for &(id, file, item) in &items {
        c.fill(id, file, item);
    }
    c.check_recursive_types();
    c
}

fn placeholder_sig(file: FileId) -> FnSig {
    FnSig {
        name: String::new(),
        params: Vec::new(),
        ret: Ty::Error,
        declared_effects: None,
        kind: FnKind::Plain,
        file,
        span: Span::default(),
        body: None,
    }
}

/// The imports of a module paired with the file each resolved to (`None` for packages and
/// for file imports the module graph could not resolve; it has reported those).
fn file_imports<'w>(
    ws: &'w Workspace,
    m: &'w starstream_modules::Module,
) -> Vec<(&'w ast::Item, Option<FileId>)> {
    let mut out = Vec::new();
    for item in &m.parse.program.items {
        let ItemKind::Import(import) = &item.kind else {
            continue;
        };
        let target = match &import.source {
            ImportSource::File(lit) => m
                .path
                .parent()
                .and_then(|dir| std::fs::canonicalize(dir.join(&lit.value)).ok())
                .and_then(|wanted| {
                    ws.modules
                        .iter()
                        .find(|t| std::fs::canonicalize(&t.path).ok().as_ref() == Some(&wanted))
                })
                .map(|t| t.file),
            ImportSource::Package { .. } => None,
        };
        out.push((item, target));
    }
    out
}

pub fn duplicate(
    file: FileId,
    name: &ast::Ident,
    earlier_file: FileId,
    earlier: Span,
) -> Diagnostic {
    let mut d = Diagnostic::new(
        Code::DUPLICATE_DEFINITION,
        format!("`{}` is defined more than once", name.name),
    )
    .with_primary(file, name.span, "defined again here")
    .with_help("rename one of them");
    if earlier_file.0 != u32::MAX {
        d = d.with_secondary(earlier_file, earlier, "first defined here");
    }
    d
}

fn unknown_std(
    file: FileId,
    name: &ast::Ident,
    iface: &str,
    std: &BTreeMap<(String, String), DefId>,
) -> Diagnostic {
    let package = if iface.is_empty() {
        "starstream:std".to_string()
    } else {
        format!("starstream:std/{iface}")
    };
    let available: Vec<&str> = std
        .keys()
        .filter(|(i, _)| i == iface)
        .map(|(_, n)| n.as_str())
        .collect();
    Diagnostic::new(
        Code::UNKNOWN_STD_ITEM,
        format!("`{package}` has no `{}`", name.name),
    )
    .with_primary(file, name.span, "not in the standard library")
    .with_help(if available.is_empty() {
        format!("`{package}` provides nothing to import by name")
    } else {
        format!("`{package}` provides: {}", available.join(", "))
    })
}

/// Whether a function body executes `resume;` anywhere.
pub fn body_resumes(block: &ast::Block) -> bool {
    fn in_block(b: &ast::Block) -> bool {
        b.stmts.iter().any(in_stmt) || b.tail.as_deref().is_some_and(in_expr)
    }
    fn in_stmt(s: &ast::Stmt) -> bool {
        use ast::StmtKind::*;
        match &s.kind {
            Resume => true,
            Let { value, .. } | Assign { value, .. } => in_expr(value),
            While { cond, body } => in_expr(cond) || in_block(body),
            Return(e) => e.as_ref().is_some_and(in_expr),
            Try { body, handlers } => in_block(body) || handlers.iter().any(|h| in_block(&h.body)),
            Assert { cond, .. } => in_expr(cond),
            Expr { expr, .. } => in_expr(expr),
            Fail(_) | Error => false,
        }
    }
    fn in_expr(e: &ast::Expr) -> bool {
        use ast::ExprKind::*;
        match &e.kind {
            Block(b) => in_block(b),
            If {
                branches,
                else_block,
            } => {
                branches.iter().any(|b| in_block(&b.body))
                    || else_block.as_ref().is_some_and(in_block)
            }
            Match { arms, .. } => arms.iter().any(|a| in_block(&a.body)),
            _ => false,
        }
    }
    in_block(block)
}

impl<'a> Collected<'a> {
    fn error(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    /// Resolves a written type. `allow_infer` permits `_` (in `let` annotations only).
    pub fn resolve_type(
        &mut self,
        file: FileId,
        ty: &ast::Type,
        unifier: Option<&mut Unifier>,
    ) -> Ty {
        let mut unifier = unifier;
        self.resolve_type_inner(file, ty, &mut unifier)
    }

    fn resolve_type_inner(
        &mut self,
        file: FileId,
        ty: &ast::Type,
        unifier: &mut Option<&mut Unifier>,
    ) -> Ty {
        match &ty.kind {
            TypeKind::Unit => Ty::Unit,
            TypeKind::Error => Ty::Error,
            TypeKind::Infer => match unifier {
                Some(u) => u.fresh(),
                None => {
                    self.error(
                        Diagnostic::new(
                            Code::CANNOT_INFER,
                            "types in signatures and definitions must be written out",
                        )
                        .with_primary(file, ty.span, "`_` is not allowed here")
                        .with_help("write the type; `_` is only for `let` annotations"),
                    );
                    Ty::Error
                }
            },
            TypeKind::Tuple(items) => Ty::Tuple(
                items
                    .iter()
                    .map(|t| self.resolve_type_inner(file, t, unifier))
                    .collect(),
            ),
            TypeKind::Named { path, args } => {
                let resolved_args: Vec<Ty> = args
                    .iter()
                    .map(|t| self.resolve_type_inner(file, t, unifier))
                    .collect();
                let name = &path.segments.last().expect("paths are never empty").name;
                let arity = |this: &mut Self, want: usize| {
                    if resolved_args.len() != want {
                        this.error(
                            Diagnostic::new(
                                Code::WRONG_TYPE_ARGUMENTS,
                                format!(
                                    "`{name}` takes {want} type argument{}, but {} {} given",
                                    if want == 1 { "" } else { "s" },
                                    resolved_args.len(),
                                    if resolved_args.len() == 1 {
                                        "was"
                                    } else {
                                        "were"
                                    }
                                ),
                            )
                            .with_primary(
                                file,
                                ty.span,
                                "wrong number of type arguments",
                            ),
                        );
                        false
                    } else {
                        true
                    }
                };
                if path.segments.len() == 1 {
                    let builtin = match name.as_str() {
                        "bool" => Some(Ty::Bool),
                        "Utxo" => Some(Ty::AnyUtxo),
                        "PublicKey" => Some(Ty::PublicKey),
                        "Hash" => Some(Ty::Hash),
                        n => IntTy::from_name(n).map(Ty::Int),
                    };
                    if let Some(t) = builtin {
                        return if arity(self, 0) { t } else { Ty::Error };
                    }
                    if name == "Option" {
                        return if arity(self, 1) {
                            Ty::Option(Box::new(resolved_args[0].clone()))
                        } else {
                            Ty::Error
                        };
                    }
                    if name == "Result" {
                        return if arity(self, 2) {
                            Ty::Result(
                                Box::new(resolved_args[0].clone()),
                                Box::new(resolved_args[1].clone()),
                            )
                        } else {
                            Ty::Error
                        };
                    }
                }
                let found = self.lookup_path_def(file, path);
                let Some(def) = found else {
                    self.error(
                        Diagnostic::new(Code::UNKNOWN_TYPE, format!("there is no type `{}`", path_text(path)))
                            .with_primary(file, path.span, "unknown type")
                            .with_help("types are the integer types, `bool`, `Option<T>`, `Result<T, E>`, `Utxo`, `PublicKey`, `Hash`, and the structs, enums, utxos and tokens in scope"),
                    );
                    return Ty::Error;
                };
                let t = match &self.defs[def].kind {
                    DefKind::Struct { .. } | DefKind::Enum { .. } => Ty::Adt(def),
                    DefKind::Utxo(_) => Ty::Utxo(def),
                    DefKind::Token(_) => Ty::Token(def),
                    _ => {
                        self.error(
                            Diagnostic::new(
                                Code::UNKNOWN_TYPE,
                                format!("`{}` is not a type", path_text(path)),
                            )
                            .with_primary(file, path.span, "not a type")
                            .with_secondary(
                                self.defs[def].file,
                                self.defs[def].span,
                                "defined here",
                            ),
                        );
                        return Ty::Error;
                    }
                };
                if arity(self, 0) {
                    t
                } else {
                    Ty::Error
                }
            }
        }
    }

    /// Looks up `Name` or `ns::Name` among a file's top-level definitions.
    pub fn lookup_path_def(&self, file: FileId, path: &ast::Path) -> Option<DefId> {
        let scope = self.scopes.get(&file)?;
        match path.segments.as_slice() {
            [one] => scope.names.get(&one.name).copied(),
            [ns, name] => match scope.namespaces.get(&ns.name)? {
                Namespace::File(f) => self.own_names.get(f)?.get(&name.name).copied(),
                Namespace::Std(iface) => self.std.get(&(iface.clone(), name.name.clone())).copied(),
            },
            _ => None,
        }
    }

    fn fill(&mut self, id: DefId, file: FileId, item: &'a ast::Item) {
        match &item.kind {
            ItemKind::Struct(s) => {
                let fields = self.fields(file, &s.fields);
                self.defs[id].kind = DefKind::Struct { fields };
            }
            ItemKind::Enum(e) => {
                let mut variants: Vec<VariantDef> = Vec::new();
                let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
                for v in &e.variants {
                    if let Some(&earlier) = seen.get(v.name.name.as_str()) {
                        self.error(duplicate(file, &v.name, file, earlier));
                        continue;
                    }
                    seen.insert(&v.name.name, v.name.span);
                    let payload = match &v.payload {
                        ast::VariantPayload::None => PayloadDef::None,
                        ast::VariantPayload::Tuple(ts) => PayloadDef::Tuple(
                            ts.iter()
                                .map(|t| self.resolve_type(file, t, None))
                                .collect(),
                        ),
                        ast::VariantPayload::Struct(fs) => {
                            PayloadDef::Struct(self.fields(file, fs))
                        }
                    };
                    variants.push(VariantDef {
                        name: v.name.name.clone(),
                        payload,
                    });
                }
                self.defs[id].kind = DefKind::Enum { variants };
            }
            ItemKind::Abi(a) => self.fill_abi(id, file, a),
            ItemKind::Fn(f) => {
                let sig = self.sig(file, f);
                self.bodies.push(Body {
                    file,
                    def: f,
                    owner: Owner::TopLevel,
                    in_impl: false,
                    sig: SigRef::Fn(id),
                });
                let body = Some(self.bodies.len() - 1);
                if f.kind == FnKind::Test
                    && (!f.params.is_empty() || !matches!(sig.ret, Ty::Unit | Ty::Error))
                {
                    self.error(
                        Diagnostic::new(Code::BAD_SPECIAL_FN, "a `test fn` takes no parameters and returns nothing")
                            .with_primary(file, f.name.span, "this test has parameters or a return type")
                            .with_help("tests build their own inputs; assert on results instead of returning them"),
                    );
                }
                self.defs[id].kind = DefKind::Fn(FnSig { body, ..sig });
            }
            ItemKind::Utxo(u) => self.fill_contract(id, file, &u.name, &u.parts, false),
            ItemKind::Token(t) => self.fill_contract(id, file, &t.name, &t.parts, true),
            _ => {}
        }
    }

    fn fields(&mut self, file: FileId, fields: &[ast::Field]) -> Vec<FieldDef> {
        let mut out: Vec<FieldDef> = Vec::new();
        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
        for f in fields {
            if let Some(&earlier) = seen.get(f.name.name.as_str()) {
                self.error(duplicate(file, &f.name, file, earlier));
                continue;
            }
            seen.insert(&f.name.name, f.name.span);
            let ty = self.resolve_type(file, &f.ty, None);
            out.push(FieldDef {
                name: f.name.name.clone(),
                ty,
            });
        }
        out
    }

    pub fn sig(&mut self, file: FileId, f: &ast::FnDef) -> FnSig {
        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
        let mut params = Vec::new();
        for p in &f.params {
            if let Some(&earlier) = seen.get(p.name.name.as_str()) {
                self.error(duplicate(file, &p.name, file, earlier));
            }
            seen.insert(&p.name.name, p.name.span);
            let ty = self.resolve_type(file, &p.ty, None);
            params.push(ParamSig {
                name: p.name.name.clone(),
                ty,
                is_pub: p.is_pub,
            });
        }
        let ret = f
            .ret
            .as_ref()
            .map(|t| self.resolve_type(file, t, None))
            .unwrap_or(Ty::Unit);
        let declared_effects = f.effects.as_ref().map(|row| self.effect_row(file, row));
        FnSig {
            name: f.name.name.clone(),
            params,
            ret,
            declared_effects,
            kind: f.kind,
            file,
            span: f.name.span,
            body: None,
        }
    }

    fn effect_row(&mut self, file: FileId, row: &ast::EffectRow) -> Vec<EffectId> {
        let mut out = Vec::new();
        for name in &row.effects {
            match self.lookup_effect(file, std::slice::from_ref(name)) {
                Some(e) => out.push(e),
                None => self.error(
                    Diagnostic::new(
                        Code::NOT_AN_EFFECT,
                        format!("there is no effect `{}`", name.name),
                    )
                    .with_primary(file, name.span, "not an effect")
                    .with_help(
                        "effects are declared in an `abi` block: `effect Name(args) -> Result;`",
                    ),
                ),
            }
        }
        out
    }

    /// Finds an effect by `Name` (in any ABI visible in the file) or `Abi::Name`.
    pub fn lookup_effect(&self, file: FileId, segments: &[ast::Ident]) -> Option<EffectId> {
        self.lookup_signal(file, segments, &self.effects)
    }

    pub fn lookup_event(&self, file: FileId, segments: &[ast::Ident]) -> Option<EventId> {
        self.lookup_signal(file, segments, &self.events)
    }

    fn lookup_signal(
        &self,
        file: FileId,
        segments: &[ast::Ident],
        list: &[SignalDef],
    ) -> Option<usize> {
        let scope = self.scopes.get(&file)?;
        let visible: BTreeSet<DefId> = scope
            .names
            .values()
            .copied()
            .filter(|d| matches!(self.defs[*d].kind, DefKind::Abi(_)))
            .collect();
        match segments {
            [name] => list
                .iter()
                .position(|s| s.name == name.name && visible.contains(&s.abi)),
            [abi, name] => {
                let abi = scope.names.get(&abi.name)?;
                list.iter()
                    .position(|s| s.name == name.name && s.abi == *abi)
            }
            _ => None,
        }
    }

    fn fill_abi(&mut self, id: DefId, file: FileId, a: &ast::AbiDef) {
        let mut info = AbiInfo::default();
        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
        // Effects first, so that fn effect rows in the same ABI can name them.
        for pass in 0..2 {
            for part in &a.parts {
                let (sig, is_fn) = match part {
                    ast::AbiPart::Fn(s) => (s, true),
                    ast::AbiPart::Event(s) | ast::AbiPart::Effect(s) => (s, false),
                };
                if (pass == 0) == is_fn {
                    continue;
                }
                if let Some(&earlier) = seen.get(sig.name.name.as_str()) {
                    self.error(duplicate(file, &sig.name, file, earlier));
                    continue;
                }
                seen.insert(&sig.name.name, sig.name.span);
                let params: Vec<ParamSig> = sig
                    .params
                    .iter()
                    .map(|p| ParamSig {
                        name: p.name.name.clone(),
                        ty: self.resolve_type(file, &p.ty, None),
                        is_pub: false,
                    })
                    .collect();
                let ret = sig
                    .ret
                    .as_ref()
                    .map(|t| self.resolve_type(file, t, None))
                    .unwrap_or(Ty::Unit);
                match part {
                    ast::AbiPart::Fn(_) => {
                        let declared_effects =
                            sig.effects.as_ref().map(|row| self.effect_row(file, row));
                        info.fns.push(FnSig {
                            name: sig.name.name.clone(),
                            params,
                            ret,
                            declared_effects,
                            kind: FnKind::Plain,
                            file,
                            span: sig.name.span,
                            body: None,
                        });
                    }
                    ast::AbiPart::Event(_) | ast::AbiPart::Effect(_) => {
                        let is_event = matches!(part, ast::AbiPart::Event(_));
                        for (p, decl) in params.iter().zip(&sig.params) {
                            if self.is_linear(&p.ty) {
                                self.error(
                                    Diagnostic::new(
                                        Code::LINEAR_NOT_ALLOWED,
                                        format!(
                                            "{} parameters carry plain data, not UTXO handles or tokens",
                                            if is_event { "event" } else { "effect" }
                                        ),
                                    )
                                    .with_primary(file, decl.ty.span, "a linear type")
                                    .with_help("pass an amount or an identifier instead"),
                                );
                            }
                        }
                        let signal = SignalDef {
                            name: sig.name.name.clone(),
                            abi: id,
                            params,
                            ret,
                            file,
                            span: sig.name.span,
                        };
                        if is_event {
                            self.events.push(signal);
                            info.events.push(self.events.len() - 1);
                        } else {
                            self.effects.push(signal);
                            info.effects.push(self.effects.len() - 1);
                        }
                    }
                }
            }
        }
        self.defs[id].kind = DefKind::Abi(info);
    }

    fn fill_contract(
        &mut self,
        id: DefId,
        file: FileId,
        name: &ast::Ident,
        parts: &'a [ast::ContractPart],
        is_token: bool,
    ) {
        let mut info = ContractInfo::default();
        let mut seen: BTreeMap<String, Span> = BTreeMap::new();
        let owner = if is_token {
            Owner::Token(id)
        } else {
            Owner::Utxo(id)
        };
        let mut mains = Vec::new();
        for part in parts {
            match part {
                ast::ContractPart::Storage(storage) => {
                    for v in &storage.vars {
                        if let Some(&earlier) = seen.get(&v.name.name) {
                            self.error(duplicate(file, &v.name, file, earlier));
                            continue;
                        }
                        seen.insert(v.name.name.clone(), v.name.span);
                        let ty = self.resolve_type(file, &v.ty, None);
                        self.check_storage_type(file, v, &ty, is_token);
                        info.storage.push(StorageDef {
                            name: v.name.name.clone(),
                            ty,
                            span: v.name.span,
                        });
                    }
                }
                ast::ContractPart::Fn(f) => {
                    if let Some(&earlier) = seen.get(&f.name.name) {
                        self.error(duplicate(file, &f.name, file, earlier));
                        continue;
                    }
                    seen.insert(f.name.name.clone(), f.name.span);
                    let sig = self.sig(file, f);
                    match f.kind {
                        FnKind::Main | FnKind::Mint | FnKind::Burn => {
                            if f.kind == FnKind::Main {
                                mains.push(f.name.span);
                                if f.ret.is_some() {
                                    self.error(
                                        Diagnostic::new(Code::BAD_SPECIAL_FN, "a `main fn` declares no return type")
                                            .with_primary(file, f.ret.as_ref().map(|t| t.span).unwrap_or(f.name.span), "remove this return type")
                                            .with_help("calling `main` creates the UTXO and evaluates to its handle; when `main` returns, the UTXO ends"),
                                    );
                                }
                            }
                            self.check_policy(file, f, &sig);
                            self.bodies.push(Body {
                                file,
                                def: f,
                                owner,
                                in_impl: false,
                                sig: SigRef::Constructor(id, info.constructors.len()),
                            });
                            info.constructors.push(FnSig {
                                body: Some(self.bodies.len() - 1),
                                ..sig
                            });
                        }
                        _ => {
                            self.bodies.push(Body {
                                file,
                                def: f,
                                owner,
                                in_impl: false,
                                sig: SigRef::Helper(id, info.helpers.len()),
                            });
                            info.helpers.push(FnSig {
                                body: Some(self.bodies.len() - 1),
                                ..sig
                            });
                        }
                    }
                }
                ast::ContractPart::Impl(block) => {
                    let abi = self
                        .scopes
                        .get(&file)
                        .and_then(|s| s.names.get(&block.abi.name))
                        .copied()
                        .filter(|d| matches!(self.defs[*d].kind, DefKind::Abi(_)));
                    if abi.is_none() {
                        self.error(not_an_abi(file, &block.abi));
                    }
                    let mut implemented = Vec::new();
                    for f in &block.fns {
                        if let Some(&earlier) = seen.get(&f.name.name) {
                            self.error(duplicate(file, &f.name, file, earlier));
                            continue;
                        }
                        seen.insert(f.name.name.clone(), f.name.span);
                        let sig = self.sig(file, f);
                        let resumes = body_resumes(&f.body);
                        if is_token && resumes {
                            self.error(
                                Diagnostic::new(
                                    Code::RESUME_OUTSIDE_METHOD,
                                    "token methods cannot `resume;`",
                                )
                                .with_primary(file, f.name.span, "this token method resumes")
                                .with_help(
                                    "only UTXOs are coroutines; a token method just returns",
                                ),
                            );
                        }
                        if let Some(abi) = abi {
                            self.check_conformance(file, abi, f, &sig);
                        }
                        implemented.push(f.name.name.clone());
                        self.bodies.push(Body {
                            file,
                            def: f,
                            owner,
                            in_impl: true,
                            sig: SigRef::Method(id, info.methods.len()),
                        });
                        info.methods.push(MethodInfo {
                            sig: FnSig {
                                body: Some(self.bodies.len() - 1),
                                ..sig
                            },
                            abi,
                            resumes,
                        });
                    }
                    if let Some(abi) = abi {
                        if let DefKind::Abi(a) = &self.defs[abi].kind {
                            let missing: Vec<String> = a
                                .fns
                                .iter()
                                .filter(|f| !implemented.contains(&f.name))
                                .map(|f| format!("`{}`", f.name))
                                .collect();
                            if !missing.is_empty() {
                                self.error(
                                    Diagnostic::new(
                                        Code::ABI_CONFORMANCE,
                                        format!(
                                            "`impl {}` is missing {}",
                                            block.abi.name,
                                            missing.join(", ")
                                        ),
                                    )
                                    .with_primary(
                                        file,
                                        block.abi.span,
                                        "not every method of the ABI is implemented",
                                    )
                                    .with_secondary(
                                        self.defs[abi].file,
                                        self.defs[abi].span,
                                        "the ABI is declared here",
                                    )
                                    .with_help("implement every `fn` the ABI declares"),
                                );
                            }
                        }
                    }
                }
            }
        }
        if !is_token && mains.len() != 1 {
            let mut d = Diagnostic::new(
                Code::UTXO_WITHOUT_MAIN,
                format!("`utxo {}` needs exactly one `main fn`, found {}", name.name, mains.len()),
            )
            .with_primary(file, mains.get(1).copied().unwrap_or(name.span), if mains.is_empty() { "no `main fn` here" } else { "another `main fn`" })
            .with_help("`main fn` is the coroutine's body and its constructor: `main fn new(..) { ... yield(Abi); ... }`");
            if mains.len() > 1 {
                d = d.with_secondary(file, mains[0], "the first `main fn`");
            }
            self.error(d);
        }
        self.defs[id].kind = if is_token {
            DefKind::Token(info)
        } else {
            DefKind::Utxo(info)
        };
    }

    fn check_storage_type(&mut self, file: FileId, v: &ast::StorageVar, ty: &Ty, is_token: bool) {
        let bad = if is_token {
            self.contains(ty, &|t| {
                matches!(t, Ty::Token(_) | Ty::Utxo(_) | Ty::AnyUtxo)
            })
            .then_some("tokens cannot own tokens or UTXOs")
        } else {
            self.contains(ty, &|t| matches!(t, Ty::Utxo(_) | Ty::AnyUtxo))
                .then_some("a UTXO cannot hold UTXO handles (UTXOs cannot call UTXOs)")
        };
        if let Some(why) = bad {
            self.error(
                Diagnostic::new(
                    Code::LINEAR_NOT_ALLOWED,
                    format!("`{}` cannot be stored here: {why}", v.name.name),
                )
                .with_primary(file, v.ty.span, "not allowed in this storage")
                .with_help("store plain data, such as an amount or a key"),
            );
        }
    }

    fn check_policy(&mut self, file: FileId, f: &ast::FnDef, sig: &FnSig) {
        match f.kind {
            FnKind::Mint if !matches!(sig.ret, Ty::Int(IntTy::U64) | Ty::Error) => self.error(
                Diagnostic::new(Code::TOKEN_POLICY_RULE, "a `mint fn` must return the amount minted, as `u64`")
                    .with_primary(file, f.name.span, "this policy does not return `u64`")
                    .with_help("end the policy with `-> u64` and return the amount: the call evaluates to a token of that amount"),
            ),
            FnKind::Burn if !matches!(sig.params.first().map(|p| &p.ty), Some(Ty::Int(IntTy::U64) | Ty::Error)) => self.error(
                Diagnostic::new(Code::TOKEN_POLICY_RULE, "a `burn fn`'s first parameter must be the burned amount, as `u64`")
                    .with_primary(file, f.name.span, "this policy does not start with an amount")
                    .with_help("write `burn fn name(amount: u64, ..)`; the call passes the token there and the policy sees its amount"),
            ),
            _ => {}
        }
    }

    fn check_conformance(&mut self, file: FileId, abi: DefId, f: &ast::FnDef, sig: &FnSig) {
        let DefKind::Abi(info) = &self.defs[abi].kind else {
            return;
        };
        let Some(decl) = info.fns.iter().find(|d| d.name == f.name.name).cloned() else {
            let abi_name = self.defs[abi].name.clone();
            self.error(
                Diagnostic::new(
                    Code::ABI_CONFORMANCE,
                    format!("`{}` is not a method of `{abi_name}`", f.name.name),
                )
                .with_primary(file, f.name.span, "not declared in the ABI")
                .with_secondary(
                    self.defs[abi].file,
                    self.defs[abi].span,
                    "the ABI is declared here",
                )
                .with_help("declare it in the ABI, or move it out of the `impl` block as a helper"),
            );
            return;
        };
        let mut u = Unifier::default();
        let params_match = decl.params.len() == sig.params.len()
            && decl
                .params
                .iter()
                .zip(&sig.params)
                .all(|(a, b)| u.unify(&self.defs, &a.ty, &b.ty));
        if !params_match || !u.unify(&self.defs, &decl.ret, &sig.ret) {
            let show = |s: &FnSig| {
                let ps: Vec<String> = s
                    .params
                    .iter()
                    .map(|p| {
                        format!(
                            "{}",
                            TyDisplay {
                                ty: &p.ty,
                                defs: &self.defs
                            }
                        )
                    })
                    .collect();
                format!(
                    "fn({}) -> {}",
                    ps.join(", "),
                    TyDisplay {
                        ty: &s.ret,
                        defs: &self.defs
                    }
                )
            };
            let (want, got) = (show(&decl), show(sig));
            self.error(
                Diagnostic::new(
                    Code::ABI_CONFORMANCE,
                    format!(
                        "`{}` does not match its declaration in the ABI",
                        f.name.name
                    ),
                )
                .with_primary(file, f.name.span, format!("this is `{got}`"))
                .with_secondary(decl.file, decl.span, format!("declared as `{want}`"))
                .with_help("make the parameter and return types the same as in the ABI"),
            );
        }
    }

    /// Whether `ty` contains a type matching `pred` (through structs, enums, tuples, ...).
    pub fn contains(&self, ty: &Ty, pred: &dyn Fn(&Ty) -> bool) -> bool {
        let mut seen = BTreeSet::new();
        contains_in(&self.defs, ty, pred, &mut seen)
    }

    /// UTXO handles, tokens and anything holding one are linear.
    pub fn is_linear(&self, ty: &Ty) -> bool {
        self.contains(ty, &|t| {
            matches!(t, Ty::Utxo(_) | Ty::AnyUtxo | Ty::Token(_))
        })
    }

    /// Reports structs and enums that contain themselves (they would be infinitely large).
    fn check_recursive_types(&mut self) {
        let mut reported = BTreeSet::new();
        for id in 0..self.defs.len() {
            if !matches!(
                self.defs[id].kind,
                DefKind::Struct { .. } | DefKind::Enum { .. }
            ) {
                continue;
            }
            let mut seen = BTreeSet::new();
            let direct = direct_adts(&self.defs, id);
            if direct
                .iter()
                .any(|d| reaches(&self.defs, *d, id, &mut seen))
                && reported.insert(id)
            {
                let d = &self.defs[id];
                let diag = Diagnostic::new(
                    Code::RECURSIVE_TYPE,
                    format!(
                        "`{}` contains itself, so it would be infinitely large",
                        d.name
                    ),
                )
                .with_primary(d.file, d.span, "recursive type")
                .with_help(
                    "break the cycle: store an identifier or an amount instead of the value itself",
                );
                self.error(diag);
            }
        }
        // Make recursive definitions opaque so later structural comparisons terminate.
        for id in reported {
            match &mut self.defs[id].kind {
                DefKind::Struct { fields } => fields.iter_mut().for_each(|f| f.ty = Ty::Error),
                DefKind::Enum { variants } => variants
                    .iter_mut()
                    .for_each(|v| v.payload = PayloadDef::None),
                _ => {}
            }
        }
    }
}

pub fn not_an_abi(file: FileId, name: &ast::Ident) -> Diagnostic {
    Diagnostic::new(Code::NOT_AN_ABI, format!("there is no ABI `{}`", name.name))
        .with_primary(file, name.span, "not an ABI")
        .with_help(
            "ABIs are declared with `abi Name { fn method(..); event E(..); effect F(..); }`",
        )
}

pub fn path_text(path: &ast::Path) -> String {
    path.segments
        .iter()
        .map(|s| s.name.as_str())
        .collect::<Vec<_>>()
        .join("::")
}

fn contains_in(
    defs: &[Def],
    ty: &Ty,
    pred: &dyn Fn(&Ty) -> bool,
    seen: &mut BTreeSet<DefId>,
) -> bool {
    if pred(ty) {
        return true;
    }
    match ty {
        Ty::Tuple(ts) => ts.iter().any(|t| contains_in(defs, t, pred, seen)),
        Ty::Option(t) => contains_in(defs, t, pred, seen),
        Ty::Result(a, b) => contains_in(defs, a, pred, seen) || contains_in(defs, b, pred, seen),
        Ty::Adt(d) => {
            if !seen.insert(*d) {
                return false;
            }
            match &defs[*d].kind {
                DefKind::Struct { fields } => {
                    fields.iter().any(|f| contains_in(defs, &f.ty, pred, seen))
                }
                DefKind::Enum { variants } => variants.iter().any(|v| match &v.payload {
                    PayloadDef::None => false,
                    PayloadDef::Tuple(ts) => ts.iter().any(|t| contains_in(defs, t, pred, seen)),
                    PayloadDef::Struct(fs) => {
                        fs.iter().any(|f| contains_in(defs, &f.ty, pred, seen))
                    }
                }),
                _ => false,
            }
        }
        _ => false,
    }
}

/// The structs and enums a definition's fields mention directly.
fn direct_adts(defs: &[Def], id: DefId) -> Vec<DefId> {
    let mut out = Vec::new();
    fn walk(ty: &Ty, out: &mut Vec<DefId>) {
        match ty {
            Ty::Adt(d) => out.push(*d),
            Ty::Tuple(ts) => ts.iter().for_each(|t| walk(t, out)),
            Ty::Option(t) => walk(t, out),
            Ty::Result(a, b) => {
                walk(a, out);
                walk(b, out)
            }
            _ => {}
        }
    }
    match &defs[id].kind {
        DefKind::Struct { fields } => fields.iter().for_each(|f| walk(&f.ty, &mut out)),
        DefKind::Enum { variants } => variants.iter().for_each(|v| match &v.payload {
            PayloadDef::None => {}
            PayloadDef::Tuple(ts) => ts.iter().for_each(|t| walk(t, &mut out)),
            PayloadDef::Struct(fs) => fs.iter().for_each(|f| walk(&f.ty, &mut out)),
        }),
        _ => {}
    }
    out
}

fn reaches(defs: &[Def], from: DefId, target: DefId, seen: &mut BTreeSet<DefId>) -> bool {
    if from == target {
        return true;
    }
    if !seen.insert(from) {
        return false;
    }
    direct_adts(defs, from)
        .into_iter()
        .any(|d| reaches(defs, d, target, seen))
}
