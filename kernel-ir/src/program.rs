//! A compiled source: lowered templates, checked concrete functions, and on-demand instances
//! of generic (`_`) functions.
//!
//! Non-generic functions are checked when the program is built and get the first `FuncId`s in
//! source order. A generic function is checked once per distinct argument signature, when a
//! caller (another function's checker, or a tier about to run it) instantiates it.

use std::collections::HashMap;
use std::sync::Arc;

use crate::check;
use crate::diag::{CompileError, Diagnostic, Span};
use crate::ir::{Annot, FuncId, Function, Lit};
use crate::lower;
use crate::types::{ArgType, Scalar, Type};
use crate::CompileOptions;

/// A parameter as declared in the source.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamInfo {
    pub name: String,
    pub annot: Annot,
    pub span: Span,
}

/// The parameter and return types of a checked callee, as a caller sees them.
#[derive(Clone, Debug)]
pub(crate) struct CalleeSig {
    pub id: FuncId,
    pub params: Vec<Type>,
    pub ret: Type,
}

#[derive(Clone, Debug)]
pub struct Program {
    source: Arc<str>,
    templates: Vec<Function>,
    functions: Vec<Function>,
    /// The checked function of each non-generic template.
    concrete: Vec<Option<FuncId>>,
    /// Instances of generic templates by (template, argument types with `mutable` cleared).
    instances: HashMap<(usize, Vec<ArgType>), FuncId>,
    /// Instances whose body is being checked right now (recursion guard).
    in_progress: Vec<FuncId>,
    /// Warnings of every checked function and instance so far, in source order, each once.
    warnings: Vec<Diagnostic>,
    /// The source's `const` items with their values, in source order.
    constants: Vec<(String, Lit, Scalar)>,
}

impl Program {
    pub(crate) fn new(source: &str, options: CompileOptions) -> Result<Program, CompileError> {
        let source: Arc<str> = Arc::from(source);
        let mut lowered = lower::lower_source(&source);
        for template in &mut lowered.functions {
            if let Some(lanes) = options.reassociate {
                template.reassociate.get_or_insert(lanes.get());
            }
            template.alloc_limit = options
                .max_alloc_bytes
                .unwrap_or(crate::alloc::DEFAULT_MAX_ALLOC_BYTES);
        }
        let mut diagnostics = lowered.diagnostics;
        let mut program = Program {
            source: source.clone(),
            templates: lowered.functions,
            functions: Vec::new(),
            concrete: Vec::new(),
            instances: HashMap::new(),
            in_progress: Vec::new(),
            warnings: Vec::new(),
            constants: lowered.constants,
        };
        program.reserve_concrete();
        // Functions with lowering errors are checked too (their bad parts are placeholder
        // literals), so one error never hides the others in the same function.
        for index in 0..lowered.body_ok.len() {
            if let Err(mut errors) = program.check_concrete(index) {
                diagnostics.append(&mut errors);
            }
        }
        if diagnostics.is_empty() {
            let ids: Vec<FuncId> = program.concrete.iter().flatten().copied().collect();
            diagnostics = crate::stack::check_stack(&program.functions, &ids);
        }
        if diagnostics.is_empty() {
            Ok(program)
        } else {
            Err(CompileError::new(source, diagnostics))
        }
    }

    /// Gives every non-generic template its `FuncId` up front, so calls between them (and
    /// recursion) resolve before their bodies are checked.
    fn reserve_concrete(&mut self) {
        for template in &self.templates {
            if template.is_generic() {
                self.concrete.push(None);
            } else {
                self.concrete
                    .push(Some(FuncId(self.functions.len() as u32)));
                let mut placeholder = template.clone();
                placeholder.ret = declared_type(template.ret_annot);
                for local in &mut placeholder.locals {
                    if let Some(Annot::Known(ty)) = local.annot {
                        local.ty = ty;
                    }
                }
                self.functions.push(placeholder);
            }
        }
    }

    fn check_concrete(&mut self, template: usize) -> Result<(), Vec<Diagnostic>> {
        let Some(id) = self.concrete[template] else {
            return Ok(());
        };
        let param_types = self.declared_param_types(template);
        let checked = check::check_function(self, template, &param_types)?;
        self.add_warnings(&checked);
        self.functions[id.index()] = checked;
        Ok(())
    }

    /// Records the warnings of a newly checked function. An instance of a generic function
    /// may repeat another instance's warning word for word; that one is kept once.
    fn add_warnings(&mut self, checked: &Function) {
        for warning in check::warnings(checked) {
            if !self.warnings.contains(&warning) {
                self.warnings.push(warning);
            }
        }
        self.warnings.sort_by_key(|w| (w.span.lo, w.span.hi));
    }

    /// The warnings of every function checked so far, in source order. Non-generic functions
    /// are checked when the program is built; an instance of a generic (`_`) function adds
    /// its own warnings when [`Program::instantiate`] (or a caller) first makes it.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// [`Program::warnings`] rendered like rustc, separated by blank lines (empty for none).
    pub fn render_warnings(&self) -> String {
        crate::diag::render_all(&self.warnings, &self.source)
    }

    fn declared_param_types(&self, template: usize) -> Vec<Option<Type>> {
        let function = &self.templates[template];
        function
            .params
            .iter()
            .map(|p| match function.local(*p).annot {
                Some(Annot::Known(ty)) => Some(ty),
                _ => None,
            })
            .collect()
    }

    /// The value of `const` item `name` (a literal of its declared type).
    pub fn constant(&self, name: &str) -> Option<(Lit, Scalar)> {
        self.constants
            .iter()
            .find(|(n, ..)| n == name)
            .map(|(_, lit, ty)| (*lit, *ty))
    }

    pub fn source(&self) -> &Arc<str> {
        &self.source
    }

    /// Function names in source order.
    pub fn function_names(&self) -> Vec<&str> {
        self.templates.iter().map(|f| f.name.as_str()).collect()
    }

    fn template_index(&self, name: &str) -> Option<usize> {
        self.templates.iter().position(|f| f.name == name)
    }

    pub fn params(&self, name: &str) -> Option<Vec<ParamInfo>> {
        let template = &self.templates[self.template_index(name)?];
        Some(
            template
                .params
                .iter()
                .map(|p| {
                    let local = template.local(*p);
                    ParamInfo {
                        name: local.name.clone(),
                        annot: local.annot.unwrap_or(Annot::Infer),
                        span: local.span,
                    }
                })
                .collect(),
        )
    }

    pub fn ret_annot(&self, name: &str) -> Option<Annot> {
        Some(self.templates[self.template_index(name)?].ret_annot)
    }

    pub fn is_generic(&self, name: &str) -> Option<bool> {
        Some(self.templates[self.template_index(name)?].is_generic())
    }

    /// The checked function of a non-generic `fn`.
    pub fn concrete(&self, name: &str) -> Option<FuncId> {
        self.concrete[self.template_index(name)?]
    }

    /// The lowered (unchecked) form of a function, as written: what `explain` shows for a
    /// generic function nobody has instantiated yet.
    pub fn template(&self, name: &str) -> Option<&Function> {
        Some(&self.templates[self.template_index(name)?])
    }

    pub fn function(&self, id: FuncId) -> &Function {
        &self.functions[id.index()]
    }

    pub fn functions(&self) -> &[Function] {
        &self.functions
    }

    /// The checked function to run for these argument types: the concrete function for a
    /// non-generic `fn`, otherwise the instance for this signature, checked on first request.
    pub fn instantiate(&mut self, name: &str, args: &[ArgType]) -> Result<FuncId, CompileError> {
        let Some(template) = self.template_index(name) else {
            let diagnostic =
                Diagnostic::new(Span::default(), format!("no function named `{name}`"));
            return Err(CompileError::new(self.source.clone(), vec![diagnostic]));
        };
        if let Some(id) = self.concrete[template] {
            return Ok(id);
        }
        let id = self
            .instantiate_template(template, args, None)
            .map(|sig| sig.id)
            .map_err(|d| CompileError::new(self.source.clone(), d))?;
        let diagnostics = crate::stack::check_call(&self.functions, id);
        if diagnostics.is_empty() {
            Ok(id)
        } else {
            Err(CompileError::new(self.source.clone(), diagnostics))
        }
    }

    /// The signature a call site sees for template `template` called with `args`; generic
    /// templates are instantiated on the way. `call_span` locates errors about the call itself.
    pub(crate) fn callee_signature(
        &mut self,
        template: usize,
        args: &[ArgType],
        call_span: Span,
    ) -> Result<CalleeSig, Vec<Diagnostic>> {
        if let Some(id) = self.concrete[template] {
            let function = &self.functions[id.index()];
            return Ok(CalleeSig {
                id,
                params: function
                    .params
                    .iter()
                    .map(|p| function.local(*p).ty)
                    .collect(),
                ret: function.ret,
            });
        }
        self.instantiate_template(template, args, Some(call_span))
    }

    fn instantiate_template(
        &mut self,
        template: usize,
        args: &[ArgType],
        call_span: Option<Span>,
    ) -> Result<CalleeSig, Vec<Diagnostic>> {
        let function = &self.templates[template];
        if args.len() != function.params.len() {
            let span = call_span.unwrap_or(function.span);
            return Err(vec![Diagnostic::new(
                span,
                format!(
                    "`{}` takes {} argument(s) but {} were supplied",
                    function.name,
                    function.params.len(),
                    args.len()
                ),
            )]);
        }
        let key: Vec<ArgType> = args.iter().map(|a| key_type(*a)).collect();
        if let Some(&id) = self.instances.get(&(template, key.clone())) {
            return self.instance_signature(id, template, call_span);
        }
        let id = FuncId(self.functions.len() as u32);
        let param_types = self.instance_param_types(template, &key);
        let mut placeholder = function.clone();
        placeholder.ret = declared_type(function.ret_annot);
        // While the body is checked, a recursive call sees `_` arrays as read-only: whether
        // the instance writes through them is only known at the end, and a writable array may
        // always be passed where a read-only one is expected.
        for (param, ty) in placeholder.params.clone().iter().zip(&param_types) {
            placeholder.locals[param.index()].ty = match ty.unwrap_or(Type::Unit) {
                Type::Array(array) if placeholder.local(*param).annot == Some(Annot::Infer) => {
                    Type::Array(crate::types::ArrayType {
                        mutable: false,
                        ..array
                    })
                }
                other => other,
            };
        }
        self.functions.push(placeholder);
        self.instances.insert((template, key.clone()), id);
        self.in_progress.push(id);
        let result = check::check_function(self, template, &param_types);
        self.in_progress.retain(|i| *i != id);
        match result {
            Ok(checked) => {
                self.add_warnings(&checked);
                self.functions[id.index()] = checked;
                self.instance_signature(id, template, call_span)
            }
            Err(mut diagnostics) => {
                self.instances.remove(&(template, key));
                let name = &self.templates[template].name;
                let signature: Vec<String> = args.iter().map(|a| a.to_string()).collect();
                if let Some(first) = diagnostics.first_mut() {
                    first.help.push(format!(
                        "while specialising `{name}` for ({})",
                        signature.join(", ")
                    ));
                }
                Err(diagnostics)
            }
        }
    }

    /// Parameter types of an instance: annotated ones as written, `_` ones from the arguments
    /// (arrays provisionally writable; the checker narrows that to what the body writes).
    fn instance_param_types(&self, template: usize, key: &[ArgType]) -> Vec<Option<Type>> {
        self.declared_param_types(template)
            .into_iter()
            .zip(key)
            .map(|(declared, arg)| {
                declared.or(Some(match *arg {
                    ArgType::Scalar(s) => Type::Scalar(s),
                    ArgType::Array { elem, rank, .. } => Type::Array(crate::types::ArrayType {
                        elem,
                        rank,
                        mutable: true,
                    }),
                }))
            })
            .collect()
    }

    fn instance_signature(
        &self,
        id: FuncId,
        template: usize,
        call_span: Option<Span>,
    ) -> Result<CalleeSig, Vec<Diagnostic>> {
        let function = &self.functions[id.index()];
        if self.in_progress.contains(&id) && function.ret_annot == Annot::Infer {
            let span = call_span.unwrap_or(function.span);
            return Err(vec![Diagnostic::new(
                span,
                format!(
                    "cannot infer the return type of recursive generic function `{}`",
                    self.templates[template].name
                ),
            )
            .with_help("annotate its return type instead of `_`")]);
        }
        Ok(CalleeSig {
            id,
            params: function
                .params
                .iter()
                .map(|p| function.local(*p).ty)
                .collect(),
            ret: function.ret,
        })
    }

    pub(crate) fn template_at(&self, index: usize) -> &Function {
        &self.templates[index]
    }
}

fn key_type(arg: ArgType) -> ArgType {
    match arg {
        ArgType::Array { elem, rank, .. } => ArgType::Array {
            elem,
            rank,
            mutable: false,
        },
        scalar => scalar,
    }
}

fn declared_type(annot: Annot) -> Type {
    match annot {
        Annot::Known(ty) => ty,
        Annot::Infer => Type::Unit,
    }
}
