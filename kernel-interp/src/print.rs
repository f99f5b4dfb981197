//! Print statements: the arguments evaluated left to right, then the text formatted and
//! written by the one shared `kernel_ir::output::print`.

use kernel_ir::abi::RawScalar;
use kernel_ir::ir::ExprId;
use kernel_ir::output::{self, Arg, Format};

use super::frame::Code;
use super::{CompileResult, FnCx};

impl FnCx<'_> {
    pub fn compile_print(&self, format: &Format, args: &[ExprId]) -> CompileResult<Code> {
        let args = args
            .iter()
            // An argument that never produces a value (`return`) leaves before printing, so
            // the type its missing value would have does not matter.
            .map(|arg| Ok((self.compile_expr(*arg)?, self.function.scalar(*arg))))
            .collect::<CompileResult<Vec<_>>>()?;
        let format = format.clone();
        Ok(Box::new(move |frame| {
            let mut values = Vec::with_capacity(args.len());
            for (code, ty) in &args {
                values.push(Arg::from_raw(RawScalar(code(frame)?), *ty));
            }
            output::print(&format, &values);
            Ok(0)
        }))
    }
}
