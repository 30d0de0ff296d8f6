import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { api, whenSignedOut } from './api';
import { can, session, setSession } from './session';

declare module 'vue-router' {
  interface RouteMeta {
    title?: string;
    /** The grant a user needs to see the page (none: any signed-in user). */
    grant?: string;
    /** Shown in the menu (with this icon letter). */
    menu?: boolean;
    public?: boolean;
  }
}

/** Every page is its own chunk, loaded when first visited. */
export const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('./pages/SignIn.vue'), meta: { title: '登录', public: true } },
  { path: '/', name: 'dashboard', component: () => import('./pages/Dashboard.vue'), meta: { title: '总览', menu: true } },
  { path: '/campaigns', name: 'campaigns', component: () => import('./pages/Campaigns.vue'), meta: { title: '活动', grant: 'campaigns:read', menu: true } },
  { path: '/campaigns/new', name: 'campaign-new', component: () => import('./pages/CampaignEditor.vue'), meta: { title: '新建活动', grant: 'campaigns:draft' } },
  { path: '/campaigns/:id/edit', name: 'campaign-edit', component: () => import('./pages/CampaignEditor.vue'), meta: { title: '编辑活动', grant: 'campaigns:draft' } },
  { path: '/campaigns/:id', name: 'campaign', component: () => import('./pages/CampaignDetail.vue'), meta: { title: '活动详情', grant: 'campaigns:read' } },
  { path: '/review', name: 'review', component: () => import('./pages/Review.vue'), meta: { title: '审批', grant: 'campaigns:review', menu: true } },
  { path: '/review/:id/:version', name: 'review-version', component: () => import('./pages/ReviewVersion.vue'), meta: { title: '审批版本', grant: 'campaigns:read' } },
  { path: '/urgent', name: 'urgent', component: () => import('./pages/Urgent.vue'), meta: { title: '紧急预警', grant: 'campaigns:draft', menu: true } },
  { path: '/content', name: 'content', component: () => import('./pages/Content.vue'), meta: { title: '内容库', grant: 'campaigns:read', menu: true } },
  { path: '/groups', name: 'groups', component: () => import('./pages/Groups.vue'), meta: { title: '群组', grant: 'groups:read', menu: true } },
  { path: '/groups/:ref', name: 'group', component: () => import('./pages/GroupDetail.vue'), meta: { title: '群组详情', grant: 'groups:read' } },
  { path: '/fleet', name: 'fleet', component: () => import('./pages/Fleet.vue'), meta: { title: '机器人', grant: 'fleet:read', menu: true } },
  { path: '/analytics', name: 'analytics', component: () => import('./pages/Analytics.vue'), meta: { title: '报表', grant: 'reports:read', menu: true } },
  { path: '/tips', name: 'tips', component: () => import('./pages/Tips.vue'), meta: { title: '线索', grant: 'tips:read', menu: true } },
  { path: '/audit', name: 'audit', component: () => import('./pages/Audit.vue'), meta: { title: '审计', grant: 'audit:read', menu: true } },
  { path: '/users', name: 'users', component: () => import('./pages/Users.vue'), meta: { title: '用户', grant: 'users:manage', menu: true } },
  { path: '/:rest(.*)*', name: 'not-found', component: () => import('./pages/NotFound.vue'), meta: { title: '找不到页面' } },
];

export const router = createRouter({ history: createWebHistory('/'), routes, scrollBehavior: () => ({ top: 0 }) });

router.beforeEach(async (to) => {
  if (!session.loaded) {
    try {
      setSession(await api.session());
    } catch {
      setSession(null);
    }
  }
  if (to.meta.public) return true;
  if (!session.actor) return { name: 'login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} };
  if (to.meta.grant && !can(to.meta.grant)) return { name: 'dashboard', query: { denied: String(to.meta.title ?? to.path) } };
  return true;
});

router.afterEach((to) => {
  document.title = `${to.meta.title ? to.meta.title + ' · ' : ''}织密`;
});

// a 401 from any call: sign in, then come back here
whenSignedOut(() => {
  const here = router.currentRoute.value;
  if (here.name !== 'login') void router.push({ name: 'login', query: { next: here.fullPath } });
});
