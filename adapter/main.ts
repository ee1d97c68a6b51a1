import { DebugSession } from '@vscode/debugadapter';
import { ElixirScopeSession } from './session/session';

/** The debug adapter executable: DAP over stdin/stdout. */
DebugSession.run(ElixirScopeSession);
