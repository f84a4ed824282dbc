//! The syntax tree: what the parser produces and every later stage reads.
//!
//! Every node carries the [`Span`] of its source text. Parsing never fails outright: where the
//! source is broken, the tree holds an `Error` node and the parser reports a diagnostic.

pub use starstream_diagnostics::Span;

/// A whole source file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    pub items: Vec<Item>,
    pub span: Span,
}

impl Program {
    /// The function whose name is at `name`: at the top level, or inside a `utxo` or `token`
    /// (including `impl` blocks).
    pub fn function_at(&self, name: Span) -> Option<&FnDef> {
        for item in &self.items {
            match &item.kind {
                ItemKind::Fn(f) if f.name.span == name => return Some(f),
                ItemKind::Utxo(UtxoDef { parts, .. }) | ItemKind::Token(TokenDef { parts, .. }) => {
                    for part in parts {
                        match part {
                            ContractPart::Fn(f) if f.name.span == name => return Some(f),
                            ContractPart::Impl(i) => {
                                if let Some(f) = i.fns.iter().find(|f| f.name.span == name) {
                                    return Some(f);
                                }
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        None
    }
}

/// A name as written, with where it was written.
#[derive(Clone, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

impl std::fmt::Debug for Ident {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}@{:?}", self.name, self.span)
    }
}

/// `a::b::c`: one or more names joined by `::`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    pub segments: Vec<Ident>,
    pub span: Span,
}

/// A string literal: its decoded value and its exact source text (kept by the formatter).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StrLit {
    pub value: String,
    pub span: Span,
}

/// An integer literal. `value` is `None` when the literal is malformed or too large (the
/// lexer has already reported it); `text` is the literal as written, radix prefix included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntLit {
    pub value: Option<u64>,
    pub text: String,
    pub span: Span,
}

/// A top-level definition, with the `///` doc comment written just before it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub kind: ItemKind,
    pub doc: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ItemKind {
    /// `contract;`: this file is a contract's entry file.
    Contract,
    Import(Import),
    Fn(FnDef),
    Struct(StructDef),
    Enum(EnumDef),
    Utxo(UtxoDef),
    Token(TokenDef),
    Abi(AbiDef),
    /// Source that could not be parsed as an item.
    Error,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    pub names: ImportNames,
    pub source: ImportSource,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportNames {
    /// `import { a, b as c } from ...;`
    Named(Vec<ImportName>),
    /// `import ns from ...;`
    Namespace(Ident),
}

/// `name` or `name as alias` in a named import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportName {
    pub name: Ident,
    pub alias: Option<Ident>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportSource {
    /// `starstream:std/cardano`: a package known to the compiler.
    Package {
        namespace: Ident,
        package: Ident,
        interface: Option<Ident>,
        span: Span,
    },
    /// `"./helpers.star"`: a file relative to the importing file.
    File(StrLit),
}

impl ImportSource {
    pub fn span(&self) -> Span {
        match self {
            ImportSource::Package { span, .. } => *span,
            ImportSource::File(s) => s.span,
        }
    }
}

/// What kind of function a definition is; the keyword before `fn`, if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FnKind {
    /// A plain `fn`.
    Plain,
    /// `script fn`: a coordination script, a transaction entry point.
    Script,
    /// `test fn`: run by `starstream test`.
    Test,
    /// `main fn` in a `utxo`: the coroutine body, and the UTXO's constructor.
    Main,
    /// `mint fn` in a `token`: the minting policy.
    Mint,
    /// `burn fn` in a `token`: the burning policy.
    Burn,
}

impl FnKind {
    /// The keyword written before `fn`, if any.
    pub fn keyword(self) -> Option<&'static str> {
        match self {
            FnKind::Plain => None,
            FnKind::Script => Some("script"),
            FnKind::Test => Some("test"),
            FnKind::Main => Some("main"),
            FnKind::Mint => Some("mint"),
            FnKind::Burn => Some("burn"),
        }
    }
}

/// A function definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FnDef {
    pub kind: FnKind,
    pub name: Ident,
    pub params: Vec<Param>,
    pub ret: Option<Type>,
    pub effects: Option<EffectRow>,
    pub body: Block,
    pub doc: Option<String>,
    pub span: Span,
}

/// `pub? name: Type`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    pub is_pub: bool,
    pub name: Ident,
    pub ty: Type,
    pub span: Span,
}

/// `/ { E1, E2 }`: the effects a function may raise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EffectRow {
    pub effects: Vec<Ident>,
    pub span: Span,
}

/// `name: Type` in a struct, an enum variant, an event or an effect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    pub name: Ident,
    pub ty: Type,
    pub doc: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StructDef {
    pub name: Ident,
    pub fields: Vec<Field>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnumDef {
    pub name: Ident,
    pub variants: Vec<Variant>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variant {
    pub name: Ident,
    pub payload: VariantPayload,
    pub doc: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VariantPayload {
    /// `Name`
    None,
    /// `Name(T1, T2)`
    Tuple(Vec<Type>),
    /// `Name { a: T1 }`
    Struct(Vec<Field>),
}

/// `utxo Name { ... }`: a UTXO contract type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UtxoDef {
    pub name: Ident,
    pub parts: Vec<ContractPart>,
}

/// `token Name { ... }`: a token type with its policies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenDef {
    pub name: Ident,
    pub parts: Vec<ContractPart>,
}

/// One part of a `utxo` or `token` body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContractPart {
    Storage(Storage),
    Fn(FnDef),
    Impl(ImplBlock),
}

/// `storage { let mut x: T; ... }`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Storage {
    pub vars: Vec<StorageVar>,
    pub span: Span,
}

/// `indexed? let mut name: T;` (`indexed` only in tokens).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StorageVar {
    pub indexed: bool,
    pub name: Ident,
    pub ty: Type,
    pub doc: Option<String>,
    pub span: Span,
}

/// `impl Abi { fn ... }`: methods implementing an ABI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImplBlock {
    pub abi: Ident,
    pub fns: Vec<FnDef>,
    pub span: Span,
}

/// `abi Name { ... }`: events, effects and method signatures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AbiDef {
    pub name: Ident,
    pub parts: Vec<AbiPart>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AbiPart {
    /// `event Name(a: T);`
    Event(Signature),
    /// `effect Name(a: T) -> R;`
    Effect(Signature),
    /// `fn name(a: T) -> R / { E };`
    Fn(Signature),
}

/// A declaration without a body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    pub name: Ident,
    pub params: Vec<Field>,
    pub ret: Option<Type>,
    pub effects: Option<EffectRow>,
    pub doc: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Type {
    pub kind: TypeKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypeKind {
    /// `Name`, `a::Name` or `Name<Args>`.
    Named {
        path: Path,
        args: Vec<Type>,
    },
    /// `(A, B, ...)`, two or more elements.
    Tuple(Vec<Type>),
    /// `()`
    Unit,
    /// `_`: left for inference.
    Infer,
    Error,
}

/// `{ stmt* expr? }`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub tail: Option<Box<Expr>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StmtKind {
    /// `let pub? mut? name (: T)? = value;`
    Let {
        is_pub: bool,
        is_mut: bool,
        name: Ident,
        ty: Option<Type>,
        value: Expr,
    },
    /// `name = value;`
    Assign {
        target: Ident,
        value: Expr,
    },
    /// `while (cond) { ... }`
    While {
        cond: Expr,
        body: Block,
    },
    /// `return value?;`
    Return(Option<Expr>),
    /// `resume;`
    Resume,
    /// `try { ... } with E(x) { ... } ...`
    Try {
        body: Block,
        handlers: Vec<Handler>,
    },
    /// `assert(cond, "message"?);`
    Assert {
        cond: Expr,
        message: Option<StrLit>,
    },
    /// `fail "message"?;`
    Fail(Option<StrLit>),
    /// An expression used as a statement. `semi` says whether a `;` followed it (block-like
    /// expressions such as `if` may end a statement without one).
    Expr {
        expr: Expr,
        semi: bool,
    },
    Error,
}

/// `with Effect(patterns) { ... }`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Handler {
    pub effect: Path,
    pub params: Vec<Pattern>,
    pub body: Block,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `-x`
    Neg,
    /// `!x`
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Mul,
    Div,
    Rem,
    Add,
    Sub,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
}

impl BinaryOp {
    /// Binding strength: higher binds tighter. All binary operators associate left.
    pub fn precedence(self) -> u8 {
        match self {
            BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => 6,
            BinaryOp::Add | BinaryOp::Sub => 5,
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => 4,
            BinaryOp::Eq | BinaryOp::Ne => 3,
            BinaryOp::And => 2,
            BinaryOp::Or => 1,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Rem => "%",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::And => "&&",
            BinaryOp::Or => "||",
        }
    }
}

/// Which keyword wraps a call in [`ExprKind::KeywordCall`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CallKeyword {
    /// `emit Event(..)`
    Emit,
    /// `raise effect(..)`
    Raise,
    /// `runtime function(..)`
    Runtime,
}

impl CallKeyword {
    pub fn keyword(self) -> &'static str {
        match self {
            CallKeyword::Emit => "emit",
            CallKeyword::Raise => "raise",
            CallKeyword::Runtime => "runtime",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExprKind {
    Int(IntLit),
    Bool(bool),
    /// `()`
    Unit,
    /// A variable, a function, or a unit enum variant such as `Color::Red`.
    Path(Path),
    /// `(e)`: kept so the formatter reproduces the parentheses the author wrote.
    Paren(Box<Expr>),
    /// `(a, b, ...)`, two or more elements.
    Tuple(Vec<Expr>),
    /// `callee(args)`
    Call {
        callee: Box<Expr>,
        args: Vec<Expr>,
    },
    /// `base.name`
    Field {
        base: Box<Expr>,
        name: Ident,
    },
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `Path { field: value, ... }`: a struct or a struct-like enum variant.
    StructLit {
        path: Path,
        fields: Vec<FieldInit>,
    },
    /// `disclose(e)`
    Disclose(Box<Expr>),
    /// `emit E(..)`, `raise f(..)`, `runtime f(..)`.
    KeywordCall {
        keyword: CallKeyword,
        callee: Path,
        args: Vec<Expr>,
    },
    /// `yield(Abi1, Abi2)`
    Yield(Vec<Ident>),
    Block(Block),
    /// `if c { } else if c { } else { }`: one branch per condition.
    If {
        branches: Vec<IfBranch>,
        else_block: Option<Block>,
    },
    /// `match e { pattern => { }, ... }`
    Match {
        scrutinee: Box<Expr>,
        arms: Vec<MatchArm>,
    },
    Error,
}

/// `field: value` in a struct literal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldInit {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IfBranch {
    pub cond: Condition,
    pub body: Block,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    /// `(expr)`; `span` covers the parentheses.
    Expr { expr: Expr, span: Span },
    /// `name is Type`: narrows a `Utxo` handle to a `utxo` type.
    Is { name: Ident, ty: Ident },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatchArm {
    pub pattern: Pattern,
    pub body: Block,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    pub kind: PatternKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PatternKind {
    /// `_`
    Wildcard,
    /// `42`, `-1`
    Int {
        negative: bool,
        lit: IntLit,
    },
    Bool(bool),
    /// `()`
    Unit,
    /// A binding (`x`) or a unit variant (`Color::Red`); the checker tells which.
    Path(Path),
    /// `Some(p)`, `Shape::Rect(w, h)`
    TupleVariant {
        path: Path,
        items: Vec<Pattern>,
    },
    /// `Point { x, y: 0 }`
    Struct {
        path: Path,
        fields: Vec<FieldPattern>,
    },
    /// `(a, b)`
    Tuple(Vec<Pattern>),
    Error,
}

/// `name` or `name: pattern` in a struct pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldPattern {
    pub name: Ident,
    pub pattern: Option<Pattern>,
    pub span: Span,
}
