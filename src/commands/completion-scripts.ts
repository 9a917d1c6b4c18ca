/**
 * The bash, zsh and fish completion scripts, written from a CompletionModel. Profile names are the
 * one thing read when TAB is pressed (`infusionsoft __complete profiles`): they change after the
 * script was loaded, and only the CLI knows where the config folder is.
 */
import type { CompletionCommand, CompletionModel } from './completion-model.js';

/** A word list as one single-quoted shell word (names hold no quotes; the guard keeps it so). */
function quoted(words: string[]): string {
  const text = words.join(' ');
  if (text.includes("'")) throw new Error(`completion: a name holds a quote: ${text}`);
  return `'${text}'`;
}

function bashCase(fn: string, entries: Array<[string, string[]]>): string {
  const arms = entries.filter(([, words]) => words.length).map(([key, words]) => `    ${quoted([key])}) echo ${quoted(words)} ;;`);
  return `${fn}() {\n  case "$1" in\n${arms.join('\n')}\n  esac\n}\n`;
}

const optionNames = (command: CompletionCommand, withValue: boolean) =>
  command.options.filter((o) => o.takesValue === withValue || !withValue).flatMap((o) => o.names);

export function bashScript(model: CompletionModel): string {
  const { commands } = model;
  const valueArms = commands.flatMap((c) =>
    c.options.flatMap((o) =>
      o.values ? [`    ${o.names.map((n) => quoted([`${c.path}:${n}`])).join('|')}) echo ${quoted(o.values)} ;;`] : [],
    ),
  );
  const resourceArms = model.resources.map(
    (r) => `    ${r.names.map((n) => quoted([n])).join('|')}) reads=${quoted(r.readActions)}; writes=${quoted(r.writeActions)} ;;`,
  );
  return `# bash completion for infusionsoft, written by \`infusionsoft completion bash\` from the CLI itself.
# Load it in ~/.bashrc: source <(infusionsoft completion bash)
${bashCase(
  '_infusionsoft_subcommands',
  commands.map((c) => [c.path, c.subcommands]),
)}${bashCase(
  '_infusionsoft_options',
  commands.map((c) => [c.path, optionNames(c, false)]),
)}${bashCase(
  '_infusionsoft_value_options',
  commands.map((c) => [c.path, optionNames(c, true)]),
)}${bashCase(
  '_infusionsoft_first_argument',
  commands.flatMap((c) => (c.firstArgument ? [[c.path, [c.firstArgument]] as [string, string[]]] : [])),
)}_infusionsoft_values_for() {
  case "$1:$2" in
${valueArms.join('\n')}
  esac
}
_infusionsoft_resources=${quoted(model.resources.flatMap((r) => r.names))}
_infusionsoft_actions() {
  local reads='' writes=''
  case "$2" in
${resourceArms.join('\n')}
  esac
  case " ${model.writeActionCommands.join(' ')} " in *" $1 "*) echo "$writes" ;; *) echo "$reads" ;; esac
}
_infusionsoft() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev='' path='' resource='' positionals=0 i word
  if [[ $COMP_CWORD -gt 0 ]]; then prev="\${COMP_WORDS[COMP_CWORD-1]}"; fi
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    case "$word" in
      --*=*) ;;
      -*) if [[ " $(_infusionsoft_value_options "$path") " == *" $word "* ]]; then ((i++)); fi ;;
      *)
        if [[ $positionals -eq 0 && " $(_infusionsoft_subcommands "$path") " == *" $word "* ]]; then
          path="\${path:+$path }$word"
        else
          if [[ $positionals -eq 0 && "$(_infusionsoft_first_argument "$path")" == resource ]]; then resource="$word"; fi
          ((positionals++))
        fi ;;
    esac
  done
  COMPREPLY=()
  if [[ -n "$prev" && " $(_infusionsoft_value_options "$path") " == *" $prev "* ]]; then
    case " ${model.profileOptions.join(' ')} " in
      *" $prev "*) COMPREPLY=($(compgen -W "$(infusionsoft __complete profiles 2>/dev/null)" -- "$cur")); return 0 ;;
    esac
    if [[ "$prev" == --action ]]; then COMPREPLY=($(compgen -W "$(_infusionsoft_actions "$path" "$resource")" -- "$cur")); return 0; fi
    COMPREPLY=($(compgen -W "$(_infusionsoft_values_for "$path" "$prev")" -- "$cur"))
    return 0
  fi
  if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "$(_infusionsoft_options "$path")" -- "$cur")); return 0; fi
  if [[ $positionals -eq 0 ]]; then
    local subcommands
    subcommands="$(_infusionsoft_subcommands "$path")"
    if [[ -n "$subcommands" ]]; then COMPREPLY=($(compgen -W "$subcommands" -- "$cur")); return 0; fi
    case "$(_infusionsoft_first_argument "$path")" in
      resource) COMPREPLY=($(compgen -W "$_infusionsoft_resources" -- "$cur")) ;;
      profile) COMPREPLY=($(compgen -W "$(infusionsoft __complete profiles 2>/dev/null)" -- "$cur")) ;;
    esac
  fi
  return 0
}
complete -o default -F _infusionsoft infusionsoft
`;
}

/** zsh runs the bash function through bashcompinit (arrays 0-based there, as in bash). */
export function zshScript(model: CompletionModel): string {
  return `# zsh completion for infusionsoft, written by \`infusionsoft completion zsh\` from the CLI itself.
# Load it in ~/.zshrc (after compinit): source <(infusionsoft completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bashScript(model)
  .split('\n')
  .filter((line) => !line.startsWith('# '))
  .join('\n')}`;
}

function fishQuoted(words: string[]): string {
  return quoted(words);
}

export function fishScript(model: CompletionModel): string {
  const lines = [
    '# fish completion for infusionsoft, written by `infusionsoft completion fish` from the CLI itself.',
    '# Save it: infusionsoft completion fish > ~/.config/fish/completions/infusionsoft.fish',
    'complete -c infusionsoft -f',
  ];
  const top = model.commands.find((c) => c.path === '');
  const allNames = model.commands.filter((c) => c.path !== '').flatMap((c) => c.path.split(' '));
  for (const command of model.commands) {
    const words = command.path ? command.path.split(' ') : [];
    const inIt = words.length
      ? words.map((w) => `__fish_seen_subcommand_from ${w}`).join('; and ')
      : `not __fish_seen_subcommand_from ${[...new Set(allNames)].join(' ')}`;
    if (command.subcommands.length) {
      const notDeeper = words.length ? `; and not __fish_seen_subcommand_from ${command.subcommands.join(' ')}` : '';
      lines.push(`complete -c infusionsoft -n ${fishQuoted([inIt + notDeeper])} -a ${fishQuoted(command.subcommands)}`);
    }
    if (command.firstArgument === 'resource') {
      lines.push(`complete -c infusionsoft -n ${fishQuoted([inIt])} -a ${fishQuoted(model.resources.flatMap((r) => r.names))}`);
    }
    if (command.firstArgument === 'profile') {
      lines.push(`complete -c infusionsoft -n ${fishQuoted([inIt])} -a '(infusionsoft __complete profiles)'`);
    }
    const globals = new Set(top?.options.flatMap((o) => o.names) ?? []);
    for (const option of command.options) {
      // The program's options are declared once, for every command.
      if (command.path !== '' && option.names.some((n) => globals.has(n))) continue;
      const spelled = option.names.map((n) => (n.startsWith('--') ? `-l ${n.slice(2)}` : `-s ${n.slice(1)}`)).join(' ');
      let values = '';
      if (model.profileOptions.includes(option.names[0] ?? '')) values = " -x -a '(infusionsoft __complete profiles)'";
      else if (option.names.includes('--action')) {
        const ids = model.writeActionCommands.includes(command.path)
          ? model.resources.flatMap((r) => r.writeActions)
          : model.resources.flatMap((r) => r.readActions);
        values = ` -x -a ${fishQuoted([...new Set(ids)])}`;
      } else if (option.values) values = ` -x -a ${fishQuoted(option.values)}`;
      else if (option.takesValue) values = ' -r -F';
      const condition = command.path === '' ? '' : ` -n ${fishQuoted([inIt])}`;
      lines.push(`complete -c infusionsoft${condition} ${spelled}${values}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
