export declare function functionNames(): string[];
export declare function bundleFunction(name: string, outdir: string): Promise<void>;
export declare const nodeBundle: Record<string, unknown>;
export declare const functionBundle: Record<string, unknown>;
