/**
 * How the SQLite store folds case where the schema says caseExact=false and a column holds the
 * folded form (users.user_name_fold, user_emails.value_fold): JavaScript's toLowerCase, exactly
 * as filter-eval (src/domain/filter-eval.ts) and the MongoDB store fold. SQLite's NOCASE folds
 * ASCII only, so it is used only where no folded column exists.
 */
export const foldCase = (s: string): string => s.toLowerCase();
