import { reactive } from 'vue';

/**
 * The one reason dialog of the console (App.vue renders it): every action
 * the audit records asks for its reason here.
 */
export const reasonDialog = reactive({
  open: false,
  title: '',
  detail: '',
  confirmText: '确定',
  danger: false,
  required: false,
  text: '',
  resolve: (_: string | null) => undefined as void,
});

export function askReason(o: { title: string; detail?: string; confirmText?: string; danger?: boolean; required?: boolean; initial?: string }): Promise<string | null> {
  return new Promise((resolve) => {
    Object.assign(reasonDialog, { open: true, title: o.title, detail: o.detail ?? '', confirmText: o.confirmText ?? '确定', danger: !!o.danger, required: !!o.required, text: o.initial ?? '', resolve });
  });
}
