/** IAM policy statements as the tests read them from the plans' JSON documents. */
export type Statement = {
    Sid?: string;
    Effect: string;
    Principal?: any;
    Action?: string | string[];
    NotAction?: string | string[];
    Resource?: string | string[];
    NotResource?: string | string[];
    Condition?: Record<string, Record<string, any>>;
};

/** A statement field as a list, whether IAM got one value or several. */
export const list = (value: unknown): string[] => (value === undefined ? [] : [value].flat().map(String));
