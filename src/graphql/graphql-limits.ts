import {
  GraphQLError,
  Kind,
  getNamedType,
  getNullableType,
  isAbstractType,
  isCompositeType,
  isIntrospectionType,
  isListType,
  isObjectType,
  isUnionType,
  valueFromASTUntyped,
  type ASTNode,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type GraphQLType,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationRule,
} from 'graphql';

/**
 * What one GraphQL request may ask for. Refusals happen at validation, before any resolver runs.
 *
 * Cost model: every field costs 1, or `extensions.cost` from its field config. A field returning
 * a list, or a `{ items, totalCount }` list wrapper, multiplies the cost of its children by its
 * `limit` argument, else by its `extensions.defaultLimit`, else by 10 (the wrapper's `items`
 * field does not multiply again). `__schema`, `__type` and `__typename`, with everything under
 * them, cost 0 and add no depth; aliases under them still count. Figures saturate at
 * `Number.MAX_SAFE_INTEGER`.
 */
export interface GraphqlLimits {
  /** Deepest selection-set nesting, fragments expanded: `{ a { b } }` is 2. */
  maxDepth: number;
  /** Highest cost of one operation (see the cost model above). */
  maxCost: number;
  /** Aliased fields in the whole document, a fragment's counted once per spread. */
  maxAliases: number;
  /** false: `__schema` and `__type` are refused; `__typename` stays allowed. */
  introspection: boolean;
}

/** `extensions.code` of each refusal; depth, cost and alias refusals also carry `limit` and `actual`. */
export type GraphqlLimitCode =
  'QUERY_TOO_DEEP' | 'QUERY_TOO_COSTLY' | 'TOO_MANY_ALIASES' | 'INTROSPECTION_DISABLED';

/**
 * graphql-js validation rules enforcing `limits`; Mercurius runs them after parsing, before
 * execution.
 *
 * Mercurius validates a query text once and caches the result, so these rules never see the
 * request's variables: `limit: $n` counts as `$n`'s default in the operation, else the
 * argument's default, else the field's `defaultLimit`, else 10. `costOf` with the variables
 * gives the cost of the request as sent.
 */
export function limitRules(limits: GraphqlLimits): ValidationRule[] {
  const rules = [
    depthRule(limits.maxDepth),
    costRule(limits.maxCost),
    aliasRule(limits.maxAliases),
  ];
  if (!limits.introspection) rules.push(introspectionRule);
  return rules;
}

/**
 * The cost of one operation (the same computation the rule uses), for docs/tests/logging.
 * Without `operationName`, the costliest operation of the document; 0 if none matches.
 */
export function costOf(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables?: Record<string, unknown>,
  operationName?: string,
): number {
  const fragments = fragmentsOf(document);
  let highest = 0;
  for (const operation of operationsOf(document)) {
    if (operationName !== undefined && operation.name?.value !== operationName) continue;
    highest = Math.max(highest, operationCost(schema, operation, fragments, variables));
  }
  return highest;
}

const INTROSPECTION_FIELDS = new Set(['__schema', '__type', '__typename']);
const DEFAULT_LIST_LIMIT = 10;

function depthRule(maxDepth: number): ValidationRule {
  return (context) => ({
    Document(document) {
      const fragments = new FragmentValues(fragmentsOf(document));
      let deepest: { depth: number; operation?: OperationDefinitionNode } = { depth: 0 };
      for (const operation of operationsOf(document)) {
        const depth = run(depthOf(operation.selectionSet, fragments));
        if (depth > deepest.depth) deepest = { depth, operation };
      }
      if (deepest.depth > maxDepth) {
        context.reportError(
          limitError(
            'QUERY_TOO_DEEP',
            `Query depth ${deepest.depth} exceeds the maximum of ${maxDepth}: request fewer nested levels, or split the query.`,
            maxDepth,
            deepest.depth,
            deepest.operation,
          ),
        );
      }
      return false;
    },
  });
}

function costRule(maxCost: number): ValidationRule {
  return (context) => ({
    Document(document) {
      const schema = context.getSchema();
      const fragments = fragmentsOf(document);
      let costliest: { cost: number; operation?: OperationDefinitionNode } = { cost: 0 };
      for (const operation of operationsOf(document)) {
        const cost = operationCost(schema, operation, fragments, undefined);
        if (cost > costliest.cost) costliest = { cost, operation };
      }
      if (costliest.cost > maxCost) {
        context.reportError(
          limitError(
            'QUERY_TOO_COSTLY',
            `Query cost ${costliest.cost} exceeds the maximum of ${maxCost}: ask for fewer items (a smaller limit) or fewer fields, or split the query.`,
            maxCost,
            costliest.cost,
            costliest.operation,
          ),
        );
      }
      return false;
    },
  });
}

function aliasRule(maxAliases: number): ValidationRule {
  return (context) => ({
    Document(document) {
      const fragments = new FragmentValues(fragmentsOf(document));
      let aliases = 0;
      for (const operation of operationsOf(document)) {
        aliases = saturated(aliases + run(aliasesIn(operation.selectionSet, fragments)));
      }
      if (aliases > maxAliases) {
        context.reportError(
          limitError(
            'TOO_MANY_ALIASES',
            `Query uses ${aliases} aliases, more than the maximum of ${maxAliases}: ask for each field once, or split the query.`,
            maxAliases,
            aliases,
          ),
        );
      }
      return false;
    },
  });
}

/**
 * graphql's NoSchemaIntrospectionCustomRule with Finch's error: it reports the outermost
 * introspection field only, where graphql's rule also reports every field under it.
 */
const introspectionRule: ValidationRule = (context) => ({
  Field(node) {
    const type = getNamedType(context.getType());
    if (!type || !isIntrospectionType(type)) return undefined;
    context.reportError(
      new GraphQLError(
        `Introspection is disabled on this server, so "${node.name.value}" cannot be queried: remove it from the query.`,
        { nodes: node, extensions: { code: 'INTROSPECTION_DISABLED' satisfies GraphqlLimitCode } },
      ),
    );
    return false;
  },
});

function limitError(
  code: GraphqlLimitCode,
  message: string,
  limit: number,
  actual: number,
  node?: ASTNode,
): GraphQLError {
  return new GraphQLError(message, { nodes: node, extensions: { code, limit, actual } });
}

/**
 * A computation over a selection tree, written as a generator that yields the sub-walks whose
 * results it needs. `run` drives them with an explicit stack: graphql-js validates a query
 * thousands of levels deep without recursion, and a recursive walk here would overflow the
 * call stack on it.
 */
type Walk = Generator<Walk, number, number>;

function run(walk: Walk): number {
  const stack = [walk];
  let result = 0;
  while (stack.length > 0) {
    const step = stack[stack.length - 1].next(result);
    if (step.done) {
      stack.pop();
      result = step.value;
    } else {
      stack.push(step.value);
    }
  }
  return result;
}

/**
 * Each named fragment's value, computed once however often it is spread: a few fragments that
 * spread each other twice describe an exponentially large query, which must not take
 * exponential time to measure. A spread re-entering a fragment under evaluation (a cycle,
 * which graphql's NoFragmentCyclesRule refuses) counts 0, so the walk ends.
 */
class FragmentValues {
  private readonly values = new Map<string, number>();
  private readonly evaluating = new Set<string>();

  constructor(readonly definitions: ReadonlyMap<string, FragmentDefinitionNode>) {}

  *valueOf(name: string, evaluate: (fragment: FragmentDefinitionNode) => Walk): Walk {
    const known = this.values.get(name);
    if (known !== undefined) return known;
    const fragment = this.definitions.get(name);
    if (!fragment || this.evaluating.has(name)) return 0;
    this.evaluating.add(name);
    const value = yield evaluate(fragment);
    this.evaluating.delete(name);
    this.values.set(name, value);
    return value;
  }
}

function* depthOf(selectionSet: SelectionSetNode, fragments: FragmentValues): Walk {
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    let depth: number;
    if (selection.kind === Kind.FIELD) {
      if (INTROSPECTION_FIELDS.has(selection.name.value)) continue;
      depth = 1 + (selection.selectionSet ? yield depthOf(selection.selectionSet, fragments) : 0);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      depth = yield depthOf(selection.selectionSet, fragments);
    } else {
      depth = yield fragments.valueOf(selection.name.value, (fragment) =>
        depthOf(fragment.selectionSet, fragments),
      );
    }
    deepest = Math.max(deepest, depth);
  }
  return deepest;
}

function* aliasesIn(selectionSet: SelectionSetNode, fragments: FragmentValues): Walk {
  let aliases = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.alias) aliases += 1;
      if (selection.selectionSet) aliases += yield aliasesIn(selection.selectionSet, fragments);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      aliases += yield aliasesIn(selection.selectionSet, fragments);
    } else {
      aliases += yield fragments.valueOf(selection.name.value, (fragment) =>
        aliasesIn(fragment.selectionSet, fragments),
      );
    }
  }
  return saturated(aliases);
}

function operationCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  variables: Record<string, unknown> | undefined,
): number {
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) return 0;
  const walk = new OperationCost(schema, fragments, inputsOf(operation, variables));
  return run(walk.selectionCost(operation.selectionSet, rootType));
}

/** The cost of one operation, its variables resolved as far as they are known. */
class OperationCost {
  private readonly fragments: FragmentValues;

  constructor(
    private readonly schema: GraphQLSchema,
    fragments: ReadonlyMap<string, FragmentDefinitionNode>,
    private readonly inputs: Record<string, unknown>,
  ) {
    this.fragments = new FragmentValues(fragments);
  }

  /**
   * Fields are resolved for every type the parent may be; a fragment only for the types its
   * condition matches. On an interface or union the costliest possible type counts.
   */
  *selectionCost(selectionSet: SelectionSetNode, parentType: GraphQLCompositeType): Walk {
    const possibleTypes = isAbstractType(parentType)
      ? this.schema.getPossibleTypes(parentType)
      : [parentType];
    let fieldsCost = 0;
    const fragmentsCostByType = new Map<GraphQLObjectType, number>();
    for (const selection of selectionSet.selections) {
      if (isSkipped(selection.directives, this.inputs)) continue;
      if (selection.kind === Kind.FIELD) {
        fieldsCost += yield this.fieldCost(selection, parentType);
        continue;
      }
      let condition: GraphQLCompositeType;
      let cost: number;
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition
          ? this.schema.getType(selection.typeCondition.name.value)
          : parentType;
        if (!isCompositeType(type)) continue;
        condition = type;
        cost = yield this.selectionCost(selection.selectionSet, condition);
      } else {
        const fragment = this.fragments.definitions.get(selection.name.value);
        const type = fragment && this.schema.getType(fragment.typeCondition.name.value);
        if (!isCompositeType(type)) continue;
        condition = type;
        cost = yield this.fragments.valueOf(selection.name.value, (definition) =>
          this.selectionCost(definition.selectionSet, type),
        );
      }
      for (const type of possibleTypes) {
        if (!this.isOfType(type, condition)) continue;
        fragmentsCostByType.set(type, saturated((fragmentsCostByType.get(type) ?? 0) + cost));
      }
    }
    return saturated(fieldsCost + Math.max(0, ...fragmentsCostByType.values()));
  }

  private isOfType(type: GraphQLObjectType, condition: GraphQLCompositeType): boolean {
    return (
      type === condition || (isAbstractType(condition) && this.schema.isSubType(condition, type))
    );
  }

  private *fieldCost(node: FieldNode, parentType: GraphQLCompositeType): Walk {
    // A union has no fields of its own but __typename, which is free like all introspection.
    if (INTROSPECTION_FIELDS.has(node.name.value) || isUnionType(parentType)) return 0;
    // An unknown field costs nothing here: FieldsOnCorrectTypeRule refuses the query.
    const field = parentType.getFields()[node.name.value] as
      GraphQLField<unknown, unknown> | undefined;
    if (!field) return 0;
    const cost = typeof field.extensions.cost === 'number' ? field.extensions.cost : 1;
    const type = getNamedType(field.type);
    if (!node.selectionSet || !isCompositeType(type)) return cost;
    const childrenCost = yield this.selectionCost(node.selectionSet, type);
    return saturated(cost + this.multiplierOf(node, field, parentType) * childrenCost);
  }

  private multiplierOf(
    node: FieldNode,
    field: GraphQLField<unknown, unknown>,
    parentType: GraphQLCompositeType,
  ): number {
    // The field returning the wrapper has multiplied by its limit already.
    if (field.name === 'items' && isListWrapper(parentType)) return 1;
    const type = getNullableType(field.type);
    if (!isListType(type) && !isListWrapper(type)) return 1;
    const argument = node.arguments?.find((candidate) => candidate.name.value === 'limit');
    let limit = argument && valueFromASTUntyped(argument.value, this.inputs);
    if (limit === undefined) limit = field.args.find((arg) => arg.name === 'limit')?.defaultValue;
    if (typeof limit === 'number' && Number.isFinite(limit)) return Math.max(0, limit);
    const { defaultLimit } = field.extensions;
    return typeof defaultLimit === 'number' ? defaultLimit : DEFAULT_LIST_LIMIT;
  }
}

/** Our `{ items, totalCount }` list types: an object type whose `items` field is a list. */
function isListWrapper(type: GraphQLType): boolean {
  if (!isObjectType(type)) return false;
  const items = type.getFields().items as GraphQLField<unknown, unknown> | undefined;
  return items !== undefined && isListType(getNullableType(items.type));
}

/** `@skip(if: true)` or `@include(if: false)`, when the condition is known; else counted. */
function isSkipped(
  directives: readonly DirectiveNode[] | undefined,
  inputs: Record<string, unknown>,
): boolean {
  for (const directive of directives ?? []) {
    const condition = directive.arguments?.find((argument) => argument.name.value === 'if');
    const value = condition && valueFromASTUntyped(condition.value, inputs);
    if (directive.name.value === 'skip' && value === true) return true;
    if (directive.name.value === 'include' && value === false) return true;
  }
  return false;
}

/** The operation's variable defaults, overridden by the request's variables when known. */
function inputsOf(
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue) {
      inputs[definition.variable.name.value] = valueFromASTUntyped(definition.defaultValue);
    }
  }
  return { ...inputs, ...variables };
}

function operationsOf(document: DocumentNode): OperationDefinitionNode[] {
  return document.definitions.filter(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === Kind.OPERATION_DEFINITION,
  );
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments.set(definition.name.value, definition);
    }
  }
  return fragments;
}

function saturated(figure: number): number {
  return Math.min(figure, Number.MAX_SAFE_INTEGER);
}

/**
 * How deep `{`, `(` and `[` nest in a query document, outside strings and comments: found
 * without parsing, so a nesting bomb is refused before graphql's parser (which recurses
 * once a level) could run out of stack.
 */
export function nestingOf(source: string): number {
  let depth = 0;
  let deepest = 0;
  for (let index = 0; index < source.length; index++) {
    const char = source[index];
    if (char === '#') {
      while (index < source.length && source[index] !== '\n') index++;
    } else if (char === '"') {
      if (source.startsWith('"""', index)) {
        const end = source.indexOf('"""', index + 3);
        index = end < 0 ? source.length : end + 2;
      } else {
        for (index++; index < source.length && source[index] !== '"'; index++) {
          if (source[index] === '\\') index++;
        }
      }
    } else if (char === '{' || char === '(' || char === '[') {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (char === '}' || char === ')' || char === ']') {
      depth--;
    }
  }
  return deepest;
}
